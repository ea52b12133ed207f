package io.dbprovision.api.openapi;

import static io.dbprovision.api.openapi.Trees.list;
import static io.dbprovision.api.openapi.Trees.map;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenApiV2Test {
    private static final String REF = "#/definitions/";

    private final Map<String, Object> document = OpenApiV2.get().tree();

    @Test
    void theDocumentIsSwagger20WithPathsAndDefinitions() {
        assertThat(document.get("swagger")).isEqualTo("2.0");
        assertThat(map(document, "info")).containsKeys("title", "version");
        assertThat(map(document, "paths").keySet())
                .isEqualTo(map(OpenApiV3.get().tree(), "paths").keySet());
    }

    @Test
    void definitionsFollowTheSameRulesAsTheV3Schemas() {
        String v3 = JsonTree.pretty(map(OpenApiV3.get().tree(), "components", "schemas"));
        String v2 = JsonTree.pretty(map(document, "definitions"));

        assertThat(v2).isEqualTo(v3.replace("#/components/schemas/", REF));
    }

    @Test
    void patchOperationsConsumeExactlyTheServedPatchTypes() {
        List<Map<String, Object>> patches = operations("patch");

        assertThat(patches).hasSize(Schema.get().kinds().size() * 2);
        patches.forEach(patch -> {
            assertThat(list(patch, "consumes"))
                    .containsExactly(
                            "application/json-patch+json",
                            "application/merge-patch+json",
                            "application/apply-patch+yaml");
            assertThat(names(patch)).contains("fieldValidation", "force", "body");
        });
    }

    @Test
    void everyOperationIsHttpsJsonAndYamlWithItsGvk() {
        for (String method : List.of("get", "post", "put", "patch", "delete")) {
            operations(method).forEach(operation -> {
                assertThat(list(operation, "schemes")).containsExactly("https");
                assertThat(list(operation, "produces")).contains("application/json", "application/yaml");
                assertThat(map(operation, "x-kubernetes-group-version-kind")).containsKeys("group", "version", "kind");
            });
        }
    }

    @Test
    void bodiesAreBodyParametersReferringToDefinitions() {
        Kind database = Schema.get().byKind("Database").orElseThrow();
        String collection = "/apis/dbops.dbprovision.io/v1alpha1/namespaces/{namespace}/" + database.plural();
        Map<String, Object> create = map(document, "paths", collection, "post");

        assertThat(list(create, "consumes")).containsExactly("application/json", "application/yaml");
        assertThat(list(create, "parameters"))
                .contains(Map.of(
                        "name",
                        "body",
                        "in",
                        "body",
                        "required",
                        true,
                        "schema",
                        Map.of("$ref", REF + "io.dbprovision.dbops.v1alpha1.Database")));
        assertThat(map(create, "responses", "201", "schema"))
                .containsEntry("$ref", REF + "io.dbprovision.dbops.v1alpha1.Database");
    }

    @Test
    void parametersUseTheV2InlineTypeStyle() {
        Map<String, Object> list =
                map(document, "paths", "/apis/dbops.dbprovision.io/v1alpha1/namespaces/{namespace}/databases", "get");

        assertThat(list(list, "parameters"))
                .contains(Map.of(
                        "name",
                        "limit",
                        "in",
                        "query",
                        "type",
                        "integer",
                        "description",
                        Parameters.LIMIT.description()));
        assertThat(list(list, "produces")).contains("application/json;stream=watch");
    }

    @Test
    void everyRefResolvesToAnExistingDefinition() {
        Set<String> refs = new HashSet<>();
        Trees.forEachObject(document, "", (key, node) -> {
            if (node.get("$ref") instanceof String ref) {
                refs.add(ref);
            }
        });

        assertThat(refs).isNotEmpty().allSatisfy(ref -> {
            assertThat(ref).startsWith(REF);
            assertThat(map(document, "definitions")).containsKey(ref.substring(REF.length()));
        });
    }

    @Test
    void jsonIsDeterministicAndHashed() {
        byte[] json = OpenApiV2.get().json();

        assertThat(new String(json, StandardCharsets.UTF_8)).startsWith("{\"definitions\":{");
        assertThat(Document.sha512Hex(json)).isEqualTo(OpenApiV2.get().sha512Hex());
        assertThat(OpenApiV2.get().sha512Hex()).isNotEqualTo(OpenApiV3.get().sha512Hex());
    }

    private List<Map<String, Object>> operations(String method) {
        List<Map<String, Object>> out = new ArrayList<>();
        map(document, "paths").values().forEach(item -> {
            if (((Map<?, ?>) item).containsKey(method)) {
                out.add(map(item, method));
            }
        });
        return out;
    }

    private static List<String> names(Map<String, Object> operation) {
        return list(operation, "parameters").stream()
                .map(p -> (String) ((Map<?, ?>) p).get("name"))
                .toList();
    }
}
