package io.dbprovision.api.openapi;

import static io.dbprovision.api.openapi.Trees.list;
import static io.dbprovision.api.openapi.Trees.map;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.api.schema.ComputedSubresource;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.proto.v1alpha1.DatabaseDrift;
import io.dbprovision.proto.v1alpha1.DatabaseUserCredentials;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The documents of a server that serves computed subresources: one GET path each, answered with its own message,
 * whose schema is published with its GVK and its proto comments; nothing else of the documents changes.
 */
class ComputedSubresourceOpenApiTest {
    private static final String ROOT = "/apis/dbops.dbprovision.io/v1alpha1";
    private static final String CREDENTIALS_PATH = ROOT + "/namespaces/{namespace}/databaseusers/{name}/credentials";
    private static final String DRIFT_PATH = ROOT + "/namespaces/{namespace}/databases/{name}/drift";
    private static final String OURS = "io.dbprovision.dbops.v1alpha1.";

    static final List<ComputedSubresource> SERVED = List.of(
            ComputedSubresource.of(
                    Schema.get(), "databaseusers", "credentials", DatabaseUserCredentials.getDefaultInstance()),
            ComputedSubresource.of(Schema.get(), "databases", "drift", DatabaseDrift.getDefaultInstance()));

    private final Map<String, Object> v3 = OpenApiV3.of(Schema.get(), SERVED).tree();
    private final Map<String, Object> v2 = OpenApiV2.of(SERVED).tree();

    @Test
    void eachSubresourceHasOneGetPathReadingItsOwnMessage() {
        for (String path : List.of(CREDENTIALS_PATH, DRIFT_PATH)) {
            Map<String, Object> item = map(v3, "paths", path);
            assertThat(item.keySet()).containsExactlyInAnyOrder("parameters", "get");
            assertThat(list(item, "parameters"))
                    .extracting(parameter -> (Object) ((Map<?, ?>) parameter).get("name"))
                    .containsExactly((Object) "name", "namespace", "pretty");
        }
        Map<String, Object> get = map(v3, "paths", CREDENTIALS_PATH, "get");
        assertThat(get.get("operationId")).isEqualTo("readDbopsDbprovisionIoV1alpha1NamespacedDatabaseUserCredentials");
        assertThat(get.get("x-kubernetes-action")).isEqualTo("get");
        assertThat(get.get("x-kubernetes-group-version-kind"))
                .isEqualTo(Map.of(
                        "group", "dbops.dbprovision.io", "version", "v1alpha1", "kind", "DatabaseUserCredentials"));
        assertThat(map(get, "responses", "200", "content", "application/json", "schema"))
                .isEqualTo(Map.of("$ref", "#/components/schemas/" + OURS + "DatabaseUserCredentials"));
        assertThat(map(get, "responses", "200", "content", "application/yaml", "schema"))
                .isEqualTo(Map.of("$ref", "#/components/schemas/" + OURS + "DatabaseUserCredentials"));
        assertThat(map(v3, "paths", DRIFT_PATH, "get").get("operationId"))
                .isEqualTo("readDbopsDbprovisionIoV1alpha1NamespacedDatabaseDrift");
    }

    @Test
    void theResponseSchemasAreObjectsWithTheirGvkAndTheProtoComments() {
        Map<String, Object> credentials = map(v3, "components", "schemas", OURS + "DatabaseUserCredentials");
        assertThat(credentials.get("x-kubernetes-group-version-kind"))
                .isEqualTo(List.of(Map.of(
                        "group", "dbops.dbprovision.io", "version", "v1alpha1", "kind", "DatabaseUserCredentials")));
        assertThat(map(credentials, "properties").keySet())
                .containsExactlyInAnyOrder(
                        "apiVersion",
                        "kind",
                        "metadata",
                        "host",
                        "port",
                        "database",
                        "username",
                        "sslMode",
                        "password",
                        "url",
                        "secretName");
        assertThat((String) credentials.get("description")).startsWith("The connection details of a DatabaseUser");
        assertThat((String) map(credentials, "properties", "password").get("description"))
                .contains("Never written to logs");
        assertThat(list(credentials, "properties", "metadata", "allOf"))
                .containsExactly(
                        Map.of("$ref", "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));

        Map<String, Object> drift = map(v3, "components", "schemas", OURS + "DatabaseDrift");
        assertThat(map(drift, "properties").keySet())
                .containsExactlyInAnyOrder(
                        "apiVersion", "kind", "metadata", "checkedAt", "detected", "diffs", "message");
        assertThat(map(drift, "properties", "diffs", "items"))
                .containsEntry("$ref", "#/components/schemas/" + OURS + "DriftDiff");
    }

    @Test
    void v2HasTheSamePathsAndTheResponseDefinitions() {
        assertThat(map(v2, "paths").keySet()).isEqualTo(map(v3, "paths").keySet());
        Map<String, Object> get = map(v2, "paths", CREDENTIALS_PATH, "get");
        assertThat(list(get, "produces")).containsExactly("application/json", "application/yaml");
        assertThat(map(get, "responses", "200", "schema"))
                .isEqualTo(Map.of("$ref", "#/definitions/" + OURS + "DatabaseUserCredentials"));
        assertThat(map(v2, "definitions")).containsKeys(OURS + "DatabaseUserCredentials", OURS + "DatabaseDrift");
    }

    @Test
    void onlyTheSubresourcePathsAndTheirMessagesAreAdded() {
        Set<String> added = new HashSet<>(map(v3, "paths").keySet());
        added.removeAll(map(OpenApiV3.get().tree(), "paths").keySet());
        assertThat(added).containsExactlyInAnyOrder(CREDENTIALS_PATH, DRIFT_PATH);

        Set<String> schemas = new HashSet<>(map(v3, "components", "schemas").keySet());
        schemas.removeAll(map(OpenApiV3.get().tree(), "components", "schemas").keySet());
        assertThat(schemas).containsExactlyInAnyOrder(OURS + "DatabaseUserCredentials", OURS + "DatabaseDrift");
    }

    @Test
    void withoutSubresourcesTheDocumentsAreTheStaticOnes() {
        assertThat(OpenApiV3.of(Schema.get(), List.of())).isSameAs(OpenApiV3.get());
        assertThat(OpenApiV2.of(List.of())).isSameAs(OpenApiV2.get());
        // Subresources of another group-version are not this document's.
        assertThat(OpenApiV3.of(Schema.core(), SERVED)).isSameAs(OpenApiV3.of(Schema.core()));
    }

    @Test
    void theDocumentIsTheSameBytesEveryTime() {
        assertThat(OpenApiV3.of(Schema.get(), SERVED).json())
                .isEqualTo(OpenApiV3.of(Schema.get(), SERVED).json());
        assertThat(OpenApiV3.of(Schema.get(), SERVED).sha512Hex())
                .isNotEqualTo(OpenApiV3.get().sha512Hex());
    }
}
