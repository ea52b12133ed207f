package io.dbprovision.api.openapi;

import static io.dbprovision.api.openapi.Trees.list;
import static io.dbprovision.api.openapi.Trees.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.proto.v1alpha1.OptionsProto;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OpenApiV3Test {
    private static final String ROOT = "/apis/dbops.dbprovision.io/v1alpha1";
    private static final String OURS = "io.dbprovision.dbops.v1alpha1.";
    private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    private static final String REF = "#/components/schemas/";

    private final Map<String, Object> document = OpenApiV3.get().tree();

    static Stream<Kind> kinds() {
        return Schema.get().kinds().stream();
    }

    @Test
    void theDocumentIsOpenApi300WithInfoPathsAndSchemas() {
        assertThat(document.get("openapi")).isEqualTo("3.0.0");
        assertThat(map(document, "info")).containsKeys("title", "version");
        assertThat(map(document, "paths")).isNotEmpty();
        assertThat(schemas()).isNotEmpty();
    }

    @Test
    void databaseInstancePortHasItsBoundsAndADescription() {
        Map<String, Object> port =
                property(ref(property(ref(property(OURS + "DatabaseInstance", "spec")), "connection")), "port");

        assertThat(port)
                .containsEntry("type", "integer")
                .containsEntry("format", "int32")
                .containsEntry("minimum", 1L)
                .containsEntry("maximum", 65535L);
        assertThat((String) port.get("description")).startsWith("TCP port.");
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void everyKindHasAPatchOperationWithFieldValidationTaggedWithItsGvk(Kind kind) {
        for (String path : List.of(itemPath(kind), itemPath(kind) + "/status")) {
            Map<String, Object> patch = map(document, "paths", path, "patch");

            assertThat(patch.get("x-kubernetes-action")).isEqualTo("patch");
            assertThat(patch.get("x-kubernetes-group-version-kind")).isEqualTo(gvk(kind.kind()));
            assertThat(parameterNames(patch)).contains("fieldValidation", "fieldManager", "dryRun", "force");
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void everyOperationCarriesTheKindsGvkAsOneObjectAndAnAction(Kind kind) {
        operationsOf(kind).forEach(operation -> {
            assertThat(operation.get("x-kubernetes-group-version-kind")).isEqualTo(gvk(kind.kind()));
            assertThat(operation.get("x-kubernetes-action"))
                    .isIn("get", "list", "post", "put", "patch", "delete", "deletecollection");
            assertThat((String) operation.get("operationId")).isNotBlank();
            assertThat(list(operation, "tags")).containsExactly("dbopsDbprovisionIo_v1alpha1");
        });
    }

    @Test
    void patchOperationsAcceptExactlyTheServedPatchTypesAndNeverStrategicMergePatch() {
        List<Map<String, Object>> patches = allOperations("patch");

        assertThat(patches).hasSize(Schema.get().kinds().size() * 2);
        patches.forEach(patch -> assertThat(map(patch, "requestBody", "content").keySet())
                .containsExactlyInAnyOrder(
                        "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml")
                .noneMatch(type -> type.contains("strategic-merge-patch")));
    }

    @Test
    void writesAcceptJsonAndYamlBodiesWithTheWriteParameters() {
        Stream.concat(allOperations("post").stream(), allOperations("put").stream())
                .forEach(operation -> {
                    assertThat(map(operation, "requestBody", "content").keySet())
                            .containsExactlyInAnyOrder("application/json", "application/yaml");
                    assertThat(parameterNames(operation)).containsExactly("dryRun", "fieldManager", "fieldValidation");
                });
    }

    @Test
    void everyPathIsUnderTheGroupVersion() {
        assertThat(map(document, "paths").keySet())
                .allSatisfy(path -> assertThat(path).startsWith(ROOT + "/"));
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void explainFindsTheKindsPathsAndTheSchemaTaggedWithItsGvk(Kind kind) {
        Map<String, Object> paths = map(document, "paths");
        assertThat(paths).containsKeys(collectionPath(kind), itemPath(kind), itemPath(kind) + "/status");
        if (kind.clusterScoped()) {
            assertThat(paths.keySet()).noneMatch(path -> path.contains("/namespaces/{namespace}/" + kind.plural()));
        } else {
            assertThat(paths).containsKey(ROOT + "/" + kind.plural());
        }

        Object operationGvk = map(paths, itemPath(kind), "get").get("x-kubernetes-group-version-kind");
        List<String> tagged = schemas().entrySet().stream()
                .filter(e ->
                        List.of(operationGvk).equals(((Map<?, ?>) e.getValue()).get("x-kubernetes-group-version-kind")))
                .map(Map.Entry::getKey)
                .toList();
        assertThat(tagged).containsExactly(OURS + kind.kind());
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void listSchemasCarryTheListKindsGvkAndReferToTheKind(Kind kind) {
        Map<String, Object> listSchema = schema(OURS + kind.listKind());

        assertThat(listSchema.get("x-kubernetes-group-version-kind")).isEqualTo(List.of(gvk(kind.listKind())));
        assertThat(map(listSchema, "properties", "items", "items")).containsEntry("$ref", REF + OURS + kind.kind());
        assertThat(ref(property(OURS + kind.listKind(), "metadata"))).isEqualTo(META + "ListMeta");
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void operationIdsFollowTheKubernetesStyle(Kind kind) {
        String scoped = (kind.clusterScoped() ? "" : "Namespaced") + kind.kind();
        String infix = "DbopsDbprovisionIoV1alpha1";

        assertThat(operationId(collectionPath(kind), "get")).isEqualTo("list" + infix + scoped);
        assertThat(operationId(collectionPath(kind), "post")).isEqualTo("create" + infix + scoped);
        assertThat(operationId(collectionPath(kind), "delete")).isEqualTo("delete" + infix + "Collection" + scoped);
        assertThat(operationId(itemPath(kind), "get")).isEqualTo("read" + infix + scoped);
        assertThat(operationId(itemPath(kind), "put")).isEqualTo("replace" + infix + scoped);
        assertThat(operationId(itemPath(kind), "patch")).isEqualTo("patch" + infix + scoped);
        assertThat(operationId(itemPath(kind), "delete")).isEqualTo("delete" + infix + scoped);
        assertThat(operationId(itemPath(kind) + "/status", "patch")).isEqualTo("patch" + infix + scoped + "Status");
    }

    @Test
    void databaseOperationIdsAreSpelledAsKubernetesWouldSpellThem() {
        String collection = ROOT + "/namespaces/{namespace}/databases";

        assertThat(operationId(collection, "get")).isEqualTo("listDbopsDbprovisionIoV1alpha1NamespacedDatabase");
        assertThat(operationId(collection, "post")).isEqualTo("createDbopsDbprovisionIoV1alpha1NamespacedDatabase");
        assertThat(operationId(collection + "/{name}/status", "patch"))
                .isEqualTo("patchDbopsDbprovisionIoV1alpha1NamespacedDatabaseStatus");
        assertThat(operationId(ROOT + "/databases", "get"))
                .isEqualTo("listDbopsDbprovisionIoV1alpha1DatabaseForAllNamespaces");
    }

    @Test
    void operationIdsAreUnique() {
        List<String> ids = new ArrayList<>();
        map(document, "paths")
                .values()
                .forEach(item -> ((Map<?, ?>) item).forEach((method, operation) -> {
                    if (!method.equals("parameters")) {
                        ids.add((String) ((Map<?, ?>) operation).get("operationId"));
                    }
                }));

        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void listOperationsServeWatchWithTheListParametersAndWatchEvents() {
        List<Map<String, Object>> lists = allOperations("get").stream()
                .filter(operation -> operation.get("x-kubernetes-action").equals("list"))
                .toList();

        assertThat(lists)
                .hasSize(Schema.get().kinds().size()
                        + (int) kinds().filter(kind -> !kind.clusterScoped()).count());
        lists.forEach(operation -> {
            assertThat(parameterNames(operation))
                    .contains("watch", "labelSelector", "fieldSelector", "limit", "continue", "resourceVersion");
            assertThat(map(operation, "responses", "200", "content", "application/json;stream=watch", "schema"))
                    .containsEntry("$ref", REF + META + "WatchEvent");
        });
    }

    @Test
    void deletesTakeDeleteOptionsAndTheDeleteParameters() {
        allOperations("delete").forEach(operation -> {
            assertThat(map(operation, "requestBody", "content", "application/json", "schema"))
                    .containsEntry("$ref", REF + META + "DeleteOptions");
            assertThat(parameterNames(operation)).contains("dryRun", "gracePeriodSeconds", "propagationPolicy");
        });
        assertThat(schemas()).containsKeys(META + "DeleteOptions", META + "Preconditions", META + "WatchEvent");
    }

    @Test
    void everyRefResolvesToAnExistingSchema() {
        Set<String> refs = new HashSet<>();
        Trees.forEachObject(document, "", (key, node) -> {
            if (node.get("$ref") instanceof String ref) {
                refs.add(ref);
            }
        });

        assertThat(refs).isNotEmpty().allSatisfy(ref -> {
            assertThat(ref).startsWith(REF);
            assertThat(schemas()).containsKey(ref.substring(REF.length()));
        });
    }

    @Test
    void everyPropertyOfEverySchemaHasADescription() {
        List<String> undescribed = new ArrayList<>();
        schemas()
                .forEach((name, schema) -> Trees.forEachObject(schema, name, (key, node) -> {
                    if (key.equals("properties")) {
                        node.forEach((property, value) -> {
                            Object description = ((Map<?, ?>) value).get("description");
                            if (!(description instanceof String text) || text.isBlank()) {
                                undescribed.add(name + "." + property);
                            }
                        });
                    }
                }));

        assertThat(undescribed).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void kindSchemasDescribeTheStandardFieldsAsKubernetesDoes(Kind kind) {
        assertThat((String) property(OURS + kind.kind(), "apiVersion").get("description"))
                .startsWith("APIVersion defines the versioned schema");
        assertThat((String) property(OURS + kind.kind(), "kind").get("description"))
                .startsWith("Kind is a string value representing the REST resource");
        assertThat((String) property(OURS + kind.kind(), "metadata").get("description"))
                .startsWith("Standard object's metadata.");
        assertThat(ref(property(OURS + kind.kind(), "metadata"))).isEqualTo(META + "ObjectMeta");
        assertThat(schema(OURS + kind.kind()).getOrDefault("required", List.of()))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .doesNotContain("status");
    }

    @Test
    void metaMessagesTakeTheKubernetesNames() {
        assertThat(schemas())
                .containsKeys(
                        META + "ObjectMeta",
                        META + "ListMeta",
                        META + "OwnerReference",
                        META + "ManagedFieldsEntry",
                        META + "Condition",
                        META + "Status",
                        META + "StatusDetails",
                        META + "StatusCause")
                .doesNotContainKeys(OURS + "ObjectMeta", OURS + "ListMeta", OURS + "Condition");
    }

    @Test
    void enumValuesAreTheJsonSpellingsWithoutTheUnspecifiedValue() {
        Map<String, Object> tls = schema(ref(property(OURS + "DatabaseInstanceSpec", "tls")));
        Map<String, Object> mode = map(tls, "properties", "mode");

        assertThat(list(mode, "enum")).containsExactly("disable", "require", "verify-ca", "verify-full");
        assertThat(mode).containsEntry("type", "string").containsEntry("default", "disable");
        assertThat((String) mode.get("description")).contains("Possible enum values:", "`\"verify-full\"`");
    }

    @Test
    void enumDescriptionsListTheValuesWithTheirComments() {
        String description =
                (String) property(OURS + "ConnectionConfig", "sslMode").get("description");

        assertThat(description).contains("\n - `\"verify-full\"` TLS, server certificate verified against the CA");
    }

    @Test
    void defaultsAreTypedJsonValues() {
        assertThat(property(OURS + "DatabaseInstanceSpec", "deletionProtection"))
                .containsEntry("default", true);
        assertThat(property(OURS + "TLSConfig", "enabled")).containsEntry("default", false);
        assertThat(property(OURS + "HealthCheckConfig", "intervalSeconds")).containsEntry("default", 30L);
        assertThat(property(OURS + "TLSKeys", "ca")).containsEntry("default", "ca.crt");
        assertThat(property(OURS + "MySQLUserConfig", "allowedHosts")).containsEntry("default", List.of("%"));
    }

    @Test
    void stringRulesBecomeLengthPatternAndFormat() {
        assertThat(property(OURS + "DatabaseSpec", "name"))
                .containsEntry("minLength", 1L)
                .containsEntry("maxLength", 63L)
                .containsEntry("pattern", "^[a-zA-Z_][a-zA-Z0-9_]*$");
        assertThat(property(OURS + "DriftPolicy", "interval")).containsEntry("format", "duration");
        assertThat(property(OURS + "DatabaseBackupScheduleSpec", "schedule")).containsEntry("format", "cron");
    }

    @Test
    void listRulesBecomeItemCountsAndAnItemPattern() {
        Map<String, Object> privileges = property(OURS + "PostgresDatabaseDefaultPrivilege", "privileges");

        assertThat(privileges)
                .containsEntry("type", "array")
                .containsEntry("minItems", 1L)
                .containsEntry("maxItems", 20L);
        assertThat(map(privileges, "items")).containsEntry("type", "string").containsEntry("pattern", "^[A-Z][A-Z ]*$");
        assertThat(list(schema(OURS + "PostgresDatabaseDefaultPrivilege"), "required"))
                .contains("privileges");
    }

    @Test
    void requiredFieldsAreListedByJsonNameOnTheParent() {
        assertThat(list(schema(OURS + "ConnectionConfig"), "required")).containsExactly("host");
        assertThat(list(schema(OURS + "DatabaseInstance"), "required")).containsExactly("spec");
        assertThat(list(schema(OURS + "DatabaseInstanceSpec"), "required")).containsExactly("engine", "connection");
    }

    @Test
    void immutableFieldsCarryAnInformationalTransitionRule() {
        assertThat(property(OURS + "DatabaseInstanceSpec", "engine").get("x-kubernetes-validations"))
                .isEqualTo(List.of(Map.of("rule", "self == oldSelf", "message", "engine is immutable")));
    }

    @Test
    void inertFieldsSayTheyAreDeclaredForCompatibility() {
        List<String> checked = new ArrayList<>();
        for (Descriptor message : messagesInSchemas()) {
            for (FieldDescriptor field : message.getFields()) {
                if (field.getOptions().getExtension(OptionsProto.field).getInert()) {
                    String name = SchemaNames.of(message);
                    assertThat((String) property(name, field.getJsonName()).get("description"))
                            .as(name + "." + field.getJsonName())
                            .contains("Declared for compatibility");
                    checked.add(name);
                }
            }
        }
        assertThat(checked).isNotEmpty();
    }

    @Test
    void oneOfRulesBecomeCelValidationsOnTheParent() {
        assertThat(schema(OURS + "DatabaseSpec").get("x-kubernetes-validations"))
                .isEqualTo(List.of(Map.of(
                        "rule",
                        "[has(self.instanceRef), has(self.clusterInstanceRef)].filter(x, x).size() == 1",
                        "message",
                        "exactly one of instanceRef or clusterInstanceRef must be specified")));
        assertThat(schema(OURS + "RestoreTarget").get("x-kubernetes-validations"))
                .isEqualTo(List.of(Map.of(
                        "rule",
                        "[has(self.instanceRef), has(self.clusterInstanceRef)].filter(x, x).size() <= 1",
                        "message",
                        "at most one of instanceRef or clusterInstanceRef may be specified")));
    }

    @Test
    void wellKnownTypesAndMapsAreWrittenInline() {
        assertThat(property(META + "ObjectMeta", "creationTimestamp"))
                .containsEntry("type", "string")
                .containsEntry("format", "date-time");
        assertThat(property(META + "ManagedFieldsEntry", "fieldsV1"))
                .containsEntry("type", "object")
                .containsEntry("x-kubernetes-preserve-unknown-fields", true);
        assertThat(property(META + "ObjectMeta", "labels"))
                .containsEntry("type", "object")
                .containsEntry("additionalProperties", Map.of("type", "string"));
        assertThat(property(META + "ObjectMeta", "generation"))
                .containsEntry("type", "integer")
                .containsEntry("format", "int64");
        // Neither the well-known types nor the map entry messages get schemas of their own.
        assertThat(schemas().keySet())
                .allMatch(name -> name.matches("(io\\.dbprovision\\.dbops\\.v1alpha1|io\\.k8s\\.apimachinery\\.pkg"
                        + "\\.apis\\.meta\\.v1)\\.[A-Za-z0-9]+"));
    }

    @Test
    void describedReferencesAreWrappedInAllOf() {
        Map<String, Object> spec = property(OURS + "DatabaseInstance", "spec");

        assertThat(spec).containsOnlyKeys("allOf", "description");
        assertThat(list(spec, "allOf")).containsExactly(Map.of("$ref", REF + OURS + "DatabaseInstanceSpec"));
    }

    @Test
    void jsonIsCompactWithSortedKeysAndHashedWithUpperCaseSha512() throws Exception {
        byte[] json = OpenApiV3.get().json();
        String text = new String(json, StandardCharsets.UTF_8);

        assertThat(json).isEqualTo(OpenApiV3.get().json());
        assertThat(text).startsWith("{\"components\":{\"schemas\":{").doesNotContain("\n");
        assertThat(text.indexOf("\"info\"")).isLessThan(text.indexOf("\"openapi\""));
        assertThat(OpenApiV3.get().sha512Hex())
                .isEqualTo(HexFormat.of()
                        .withUpperCase()
                        .formatHex(MessageDigest.getInstance("SHA-512").digest(json)))
                .matches("[0-9A-F]{128}");
    }

    @Test
    void theRootDocumentListsOnlyThisGroupVersionWithTheCurrentHash() {
        String root = new String(OpenApiV3.get().rootJson(), StandardCharsets.UTF_8);

        assertThat(root)
                .isEqualTo("{\"paths\":{\"apis/dbops.dbprovision.io/v1alpha1\":{\"serverRelativeURL\":"
                        + "\"/openapi/v3/apis/dbops.dbprovision.io/v1alpha1?hash="
                        + OpenApiV3.get().sha512Hex()
                        + "\"}}}");
    }

    private Map<String, Object> schemas() {
        return map(document, "components", "schemas");
    }

    private Map<String, Object> schema(String name) {
        return map(schemas(), name);
    }

    private Map<String, Object> property(String schemaName, String property) {
        return map(schema(schemaName), "properties", property);
    }

    /** The schema name a property refers to, directly or through allOf. */
    private static String ref(Map<String, Object> property) {
        Object ref = property.containsKey("allOf")
                ? ((Map<?, ?>) list(property, "allOf").getFirst()).get("$ref")
                : property.get("$ref");
        assertThat(ref).isInstanceOf(String.class);
        return ((String) ref).substring(REF.length());
    }

    private static Map<String, Object> gvk(String kind) {
        return Map.of("group", Schema.GROUP, "version", Schema.VERSION, "kind", kind);
    }

    private static String collectionPath(Kind kind) {
        return ROOT + (kind.clusterScoped() ? "" : "/namespaces/{namespace}") + "/" + kind.plural();
    }

    private static String itemPath(Kind kind) {
        return collectionPath(kind) + "/{name}";
    }

    private String operationId(String path, String method) {
        return (String) map(document, "paths", path, method).get("operationId");
    }

    private static List<String> parameterNames(Map<String, Object> operation) {
        return list(operation, "parameters").stream()
                .map(p -> (String) ((Map<?, ?>) p).get("name"))
                .toList();
    }

    private List<Map<String, Object>> allOperations(String method) {
        List<Map<String, Object>> out = new ArrayList<>();
        map(document, "paths").values().forEach(item -> {
            if (((Map<?, ?>) item).containsKey(method)) {
                out.add(map(item, method));
            }
        });
        return out;
    }

    private List<Map<String, Object>> operationsOf(Kind kind) {
        List<Map<String, Object>> out = new ArrayList<>();
        map(document, "paths").forEach((path, item) -> {
            if (path.endsWith("/" + kind.plural()) || path.contains("/" + kind.plural() + "/")) {
                ((Map<?, ?>) item).forEach((method, operation) -> {
                    if (!method.equals("parameters")) {
                        out.add(map(operation));
                    }
                });
            }
        });
        assertThat(out).isNotEmpty();
        return out;
    }

    private List<Descriptor> messagesInSchemas() {
        List<Descriptor> out = new ArrayList<>();
        for (var file : Schema.files()) {
            for (Descriptor message : file.getMessageTypes()) {
                if (schemas().containsKey(SchemaNames.of(message))) {
                    out.add(message);
                }
            }
            for (var dependency : file.getDependencies()) {
                for (Descriptor message : dependency.getMessageTypes()) {
                    if (schemas().containsKey(SchemaNames.of(message)) && !out.contains(message)) {
                        out.add(message);
                    }
                }
            }
        }
        return out;
    }
}
