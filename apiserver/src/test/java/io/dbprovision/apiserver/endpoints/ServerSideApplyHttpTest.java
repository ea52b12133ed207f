package io.dbprovision.apiserver.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbprovision.apiserver.server.StandaloneServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server-side apply and managedFields over HTTP, against an in-process standalone server. */
class ServerSideApplyHttpTest {
    private static final String GV = "/apis/dbops.dbprovision.io/v1alpha1";
    private static final String NS = GV + "/namespaces/default/databaseinstances";
    private static final String APPLY = "application/apply-patch+yaml";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static StandaloneServer server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        // The REST layer only: its instances point at no real server.
        server = StandaloneServer.start(
                StandaloneServer.Options.of(dir, "127.0.0.1", 0, false).withoutReconcilers());
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(server.caCertificate())) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);
        client = HttpClient.newBuilder()
                .sslContext(tls)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void applyCreatesTheObjectAndAnUnchangedReapplyWritesNothing() throws Exception {
        Response created = apply("create1", "kubectl", instance("create1", "h1", ""), "");
        assertThat(created.code()).isEqualTo(201);
        assertThat(created.at("spec", "connection", "port")).isEqualTo(5432); // defaulted, not owned
        List<Map<String, Object>> entries = created.managedFields();
        assertThat(entries).hasSize(1);
        assertThat(entries.getFirst())
                .containsEntry("manager", "kubectl")
                .containsEntry("operation", "Apply")
                .containsEntry("apiVersion", "dbops.dbprovision.io/v1alpha1")
                .containsEntry("fieldsType", "FieldsV1")
                .containsKey("time")
                .containsEntry(
                        "fieldsV1",
                        Map.of(
                                "f:spec",
                                Map.of(
                                        "f:engine",
                                        Map.of(),
                                        "f:connection",
                                        Map.of("f:host", Map.of(), "f:secretRef", Map.of("f:name", Map.of())))));
        String version = (String) created.at("metadata", "resourceVersion");

        Response again = apply("create1", "kubectl", instance("create1", "h1", ""), "");
        assertThat(again.code()).isEqualTo(200);
        assertThat(again.at("metadata", "resourceVersion")).isEqualTo(version);
        assertThat(get("create1").at("metadata", "resourceVersion")).isEqualTo(version);
        assertThat(again.managedFields()).isEqualTo(entries);
    }

    @Test
    void aReapplyWithoutAFieldRemovesIt() throws Exception {
        apply(
                "prune1",
                "kubectl",
                instance("prune1", "h1", "  labels: {a: \"1\", b: \"2\"}\n", "    port: 6432\n"),
                "");
        assertThat(get("prune1").at("spec", "connection", "port")).isEqualTo(6432);

        Response pruned = apply("prune1", "kubectl", instance("prune1", "h1", "  labels: {a: \"1\"}\n"), "");

        assertThat(pruned.code()).isEqualTo(200);
        assertThat(pruned.at("metadata", "labels")).isEqualTo(Map.of("a", "1"));
        assertThat(pruned.at("spec", "connection", "port")).isEqualTo(5432); // removed, then defaulted again
    }

    @Test
    void aFieldOwnedByAnotherApplierConflictsUntilForced() throws Exception {
        apply("conflict1", "mgr-a", instance("conflict1", "h1", ""), "");

        Response conflict = apply("conflict1", "mgr-b", instance("conflict1", "h2", ""), "");

        assertThat(conflict.code()).isEqualTo(409);
        assertThat(conflict.body())
                .containsEntry("kind", "Status")
                .containsEntry("status", "Failure")
                .containsEntry("reason", "Conflict")
                .containsEntry("code", 409)
                .containsEntry(
                        "message", "Apply failed with 1 conflict: conflict with \"mgr-a\": .spec.connection.host")
                .containsEntry(
                        "details",
                        Map.of(
                                "causes",
                                List.of(Map.of(
                                        "reason", "FieldManagerConflict",
                                        "message", "conflict with \"mgr-a\"",
                                        "field", ".spec.connection.host"))));
        assertThat(get("conflict1").at("spec", "connection", "host")).isEqualTo("h1");

        Response forced = apply("conflict1", "mgr-b", instance("conflict1", "h2", ""), "&force=true");

        assertThat(forced.code()).isEqualTo(200);
        assertThat(forced.at("spec", "connection", "host")).isEqualTo("h2");
        Map<String, Object> byManager = forced.fieldsByManager();
        assertThat(byManager.get("mgr-a"))
                .isEqualTo(Map.of(
                        "f:spec",
                        Map.of(
                                "f:engine",
                                Map.of(),
                                "f:connection",
                                Map.of("f:secretRef", Map.of("f:name", Map.of())))));
        assertThat(byManager.get("mgr-b"))
                .isEqualTo(Map.of(
                        "f:spec",
                        Map.of(
                                "f:engine",
                                Map.of(),
                                "f:connection",
                                Map.of("f:host", Map.of(), "f:secretRef", Map.of("f:name", Map.of())))));
    }

    @Test
    void anApplyAfterAClientSideCreateConflictsWithTheUpdaterNamingItsVersion() throws Exception {
        Response created = send(
                "POST",
                NS + "?fieldManager=kubectl-create",
                "application/json",
                JSON.writeValueAsString(Map.of(
                        "apiVersion",
                        "dbops.dbprovision.io/v1alpha1",
                        "kind",
                        "DatabaseInstance",
                        "metadata",
                        Map.of("name", "csa1"),
                        "spec",
                        Map.of(
                                "engine",
                                "postgres",
                                "connection",
                                Map.of("host", "h1", "secretRef", Map.of("name", "admin"))))));
        assertThat(created.code()).isEqualTo(201);
        assertThat(created.managedFields()).hasSize(1);
        assertThat(created.managedFields().getFirst())
                .containsEntry("manager", "kubectl-create")
                .containsEntry("operation", "Update");
        // The creator owns what it wrote and what defaulting added, objects marked with "." as they were added.
        assertThat(created.fieldsAt("kubectl-create", "f:spec")).containsKeys(".", "f:engine", "f:connection");
        assertThat(created.fieldsAt("kubectl-create", "f:spec", "f:connection"))
                .containsEntry(".", Map.of())
                .containsEntry("f:host", Map.of())
                .containsEntry("f:port", Map.of())
                .containsEntry("f:secretRef", Map.of(".", Map.of(), "f:name", Map.of()));

        Response conflict = apply("csa1", "kubectl", instance("csa1", "h2", ""), "");

        assertThat(conflict.code()).isEqualTo(409);
        assertThat(conflict.body())
                .containsEntry(
                        "message",
                        "Apply failed with 1 conflict: conflict with \"kubectl-create\" using"
                                + " dbops.dbprovision.io/v1alpha1: .spec.connection.host");
    }

    @Test
    void dryRunAppliesPersistNothing() throws Exception {
        Response dry = apply("dry1", "kubectl", instance("dry1", "h1", ""), "&dryRun=All");
        assertThat(dry.code()).isEqualTo(201);
        assertThat(dry.at("spec", "connection", "host")).isEqualTo("h1");
        assertThat(get("dry1").code()).isEqualTo(404);

        apply("dry1", "kubectl", instance("dry1", "h1", ""), "");
        String version = (String) get("dry1").at("metadata", "resourceVersion");
        Response changed = apply("dry1", "kubectl", instance("dry1", "h2", ""), "&dryRun=All");
        assertThat(changed.code()).isEqualTo(200);
        assertThat(changed.at("spec", "connection", "host")).isEqualTo("h2");
        assertThat(get("dry1").at("spec", "connection", "host")).isEqualTo("h1");
        assertThat(get("dry1").at("metadata", "resourceVersion")).isEqualTo(version);
    }

    @Test
    void theApplyRequestIsCheckedLikeKubernetesChecksIt() throws Exception {
        Response noManager = send("PATCH", NS + "/bad1", APPLY, instance("bad1", "h1", ""));
        assertThat(noManager.code()).isEqualTo(422);
        assertThat(noManager.body())
                .containsEntry("reason", "Invalid")
                .containsEntry(
                        "message",
                        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for"
                                + " apply patch");

        Response tooLong = apply("bad1", "m".repeat(129), instance("bad1", "h1", ""), "");
        assertThat(tooLong.code()).isEqualTo(422);

        Response wrongKind = apply(
                "bad1", "kubectl", instance("bad1", "h1", "").replace("kind: DatabaseInstance", "kind: Database"), "");
        assertThat(wrongKind.code()).isEqualTo(400);

        Response noKind =
                apply("bad1", "kubectl", instance("bad1", "h1", "").replace("kind: DatabaseInstance\n", ""), "");
        assertThat(noKind.code()).isEqualTo(400);
        assertThat(noKind.body()).containsEntry("message", "invalid object type: dbops.dbprovision.io/v1alpha1, Kind=");

        Response managed = apply("bad1", "kubectl", instance("bad1", "h1", "  managedFields: [{manager: x}]\n"), "");
        assertThat(managed.code()).isEqualTo(400);
        assertThat(managed.body()).containsEntry("message", "metadata.managedFields must be nil");

        Response otherName = apply("bad1", "kubectl", instance("bad2", "h1", ""), "");
        assertThat(otherName.code()).isEqualTo(400);

        Response strict =
                apply("bad1", "kubectl", instance("bad1", "h1", "", "    bogus: 1\n"), "&fieldValidation=Strict");
        assertThat(strict.code()).isEqualTo(400);
        assertThat((String) strict.body().get("message")).contains("unknown field \"spec.connection.bogus\"");

        assertThat(get("bad1").code()).isEqualTo(404);
    }

    @Test
    void applyThroughTheStatusSubresourceOwnsOnlyTheStatus() throws Exception {
        apply("status1", "kubectl", instance("status1", "h1", ""), "");
        Response missing = send(
                "PATCH", NS + "/missing/status?fieldManager=c", APPLY, instance("missing", "h", "") + "status: {}\n");
        assertThat(missing.code()).isEqualTo(404); // the status subresource never creates

        Response status = send(
                "PATCH",
                NS + "/status1/status?fieldManager=controller",
                APPLY,
                instance("status1", "ignored", "  labels: {x: y}\n") + "status: {phase: Ready}\n");

        assertThat(status.code()).isEqualTo(200);
        assertThat(status.at("status", "phase")).isEqualTo("Ready");
        assertThat(status.at("spec", "connection", "host")).isEqualTo("h1");
        assertThat(status.at("metadata", "labels")).isNull();
        Map<String, Object> entry = status.managedFields().stream()
                .filter(e -> e.get("manager").equals("controller"))
                .findFirst()
                .orElseThrow();
        assertThat(entry)
                .containsEntry("operation", "Apply")
                .containsEntry("subresource", "status")
                .containsEntry("fieldsV1", Map.of("f:status", Map.of("f:phase", Map.of())));
    }

    @Test
    void otherWritesRecordUpdateEntriesAndClientsMayRewriteManagedFields() throws Exception {
        apply("update1", "kubectl", instance("update1", "h1", ""), "");

        Response edited = send(
                "PATCH",
                NS + "/update1?fieldManager=kubectl-edit",
                "application/merge-patch+json",
                "{\"metadata\":{\"labels\":{\"team\":\"a\"}}}");
        assertThat(edited.code()).isEqualTo(200);
        assertThat(edited.fieldsByManager())
                .containsEntry(
                        "kubectl-edit",
                        Map.of("f:metadata", Map.of("f:labels", Map.of(".", Map.of(), "f:team", Map.of()))));

        // A writer without fieldManager is named after its User-Agent.
        Response anonymous = send(
                "PATCH",
                NS + "/update1",
                "application/merge-patch+json",
                "{\"metadata\":{\"annotations\":{\"note\":\"x\"}}}");
        assertThat(anonymous.fieldsByManager()).containsKey("Java-http-client");

        // kubectl's client-side to server-side apply migration: a JSON patch replacing the managed fields.
        String version = (String) anonymous.at("metadata", "resourceVersion");
        List<Map<String, Object>> rewritten = anonymous.managedFields().stream()
                .filter(e -> !e.get("manager").equals("kubectl-edit"))
                .toList();
        Response migrated = send(
                "PATCH",
                NS + "/update1?fieldManager=kubectl",
                "application/json-patch+json",
                JSON.writeValueAsString(List.of(
                        Map.of("op", "test", "path", "/metadata/resourceVersion", "value", version),
                        Map.of("op", "replace", "path", "/metadata/managedFields", "value", rewritten),
                        Map.of("op", "replace", "path", "/metadata/resourceVersion", "value", version))));
        assertThat(migrated.code()).isEqualTo(200);
        assertThat(migrated.managedFields()).isEqualTo(rewritten);
        assertThat(migrated.at("metadata", "labels")).isEqualTo(Map.of("team", "a"));
    }

    // ---- helpers

    private static String instance(String name, String host, String metadata, String... connection) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata:
                  name: %s
                %sspec:
                  engine: postgres
                  connection:
                    host: %s
                    secretRef: {name: admin}
                %s""".formatted(name, metadata, host, String.join("", connection));
    }

    private static Response apply(String name, String manager, String yaml, String query) throws Exception {
        return send("PATCH", NS + "/" + name + "?fieldManager=" + manager + query, APPLY, yaml);
    }

    private static Response get(String name) throws Exception {
        return send("GET", NS + "/" + name, null, null);
    }

    private static Response send(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + server.adminToken())
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(30));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = JSON.readValue(response.body(), Map.class);
        return new Response(response.statusCode(), parsed);
    }

    record Response(int code, Map<String, Object> body) {
        Object at(String... path) {
            Object node = body;
            for (String element : path) {
                if (!(node instanceof Map<?, ?> map)) {
                    return null;
                }
                node = map.get(element);
            }
            return node;
        }

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> managedFields() {
            Object entries = at("metadata", "managedFields");
            return entries == null ? List.of() : (List<Map<String, Object>>) entries;
        }

        Map<String, Object> fieldsByManager() {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            managedFields().forEach(e -> out.put((String) e.get("manager"), e.get("fieldsV1")));
            return out;
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> fieldsAt(String manager, String... path) {
            Object node = fieldsByManager().get(manager);
            for (String element : path) {
                node = ((Map<?, ?>) node).get(element);
            }
            return (Map<String, Object>) node;
        }
    }
}
