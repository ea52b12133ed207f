package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbprovision.apiserver.registry.RecordingSubresourceReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The computed subresources {@code databaseusers/{name}/credentials} and {@code databases/{name}/drift} over real
 * HTTPS on a standalone server, answered by recording stub readers: routing and its answers (JSON, YAML, 404, 405,
 * 406, no-store), local RBAC on the subresource itself, discovery and OpenAPI, and an audit log at level
 * RequestResponse that never holds the credentials.
 */
class SubresourceHttpTest {
    private static final String SUFFIX =
            HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
    private static final String NS = "subres-" + SUFFIX;
    private static final String PASSWORD = "pw-" + SUFFIX + "-"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    private static final String GV = "/apis/dbops.dbprovision.io/v1alpha1";
    private static final String USERS = GV + "/namespaces/" + NS + "/databaseusers";
    private static final String CREDENTIALS = USERS + "/app/credentials";
    private static final String DRIFT = GV + "/namespaces/" + NS + "/databases/orders/drift";
    private static final String TABLE_THEN_JSON =
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
                    + "application/json";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    private static final RecordingSubresourceReader credentials = RecordingSubresourceReader.credentials()
            .answering(NS, "app", RecordingSubresourceReader.credentialsOf("app", PASSWORD));
    private static final RecordingSubresourceReader drift = RecordingSubresourceReader.drift()
            .answering(NS, "orders", RecordingSubresourceReader.ownerDriftOf(NS, "orders"));
    private static Path auditLog;
    private static SecuredServer server;

    @BeforeAll
    static void start() throws IOException {
        auditLog = work.resolve("audit/audit.log");
        Path policy = Files.writeString(work.resolve("policy.yaml"), """
                apiVersion: audit.k8s.io/v1
                kind: Policy
                rules:
                - level: RequestResponse
                """);
        server = SecuredServer.startServing(
                work,
                List.of(
                        new SecuredServer.User("user-reader", "uid-1", List.of()),
                        new SecuredServer.User("credentials-reader", "uid-2", List.of()),
                        new SecuredServer.User("any-credentials-reader", "uid-3", List.of())),
                List.of(credentials.served(), drift.served()),
                auditLog,
                policy);
        server.create("/api/v1/namespaces", """
                {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}""".formatted(NS));
        server.create(USERS, """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseUser
                metadata:
                  name: app
                spec:
                  instanceRef:
                    name: pg
                  username: app
                """);
        grant("user-reader", "databaseusers");
        grant("credentials-reader", "databaseusers/credentials");
        grant("any-credentials-reader", "*/credentials");
        for (String user : List.of("user-reader", "credentials-reader", "any-credentials-reader")) {
            StandaloneAuthorizationMatrixTest.await(
                    user + "'s binding",
                    () -> server.as(user)
                                    .get(user.equals("user-reader") ? USERS + "/app" : CREDENTIALS)
                                    .code()
                            == 200);
        }
    }

    /** A Role in the test's namespace granting get on {@code resource}, bound to {@code user}. */
    private static void grant(String user, String resource) {
        String rbac = "/apis/rbac.authorization.k8s.io/v1/namespaces/" + NS;
        server.create(rbac + "/roles", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata:
                  name: %s
                rules:
                - apiGroups: ["dbops.dbprovision.io"]
                  resources: ["%s"]
                  verbs: ["get"]
                """.formatted(user, resource));
        server.create(rbac + "/rolebindings", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: %s
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: Role
                  name: %s
                subjects:
                - kind: User
                  name: %s
                """.formatted(user, user, user));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    // ---- answers

    @Test
    void theCredentialsAreTheReadersAnswerAsJsonThatNoCacheMayKeep() {
        SecuredServer.Response response = server.as("admin").get(CREDENTIALS);

        assertThat(response.code()).as("%s", response).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode body = response.json();
        assertThat(body.path("apiVersion").asText()).isEqualTo("dbops.dbprovision.io/v1alpha1");
        assertThat(body.path("kind").asText()).isEqualTo("DatabaseUserCredentials");
        assertThat(body.path("metadata").path("name").asText()).isEqualTo("app");
        assertThat(body.path("metadata").path("namespace").asText()).isEqualTo(NS);
        assertThat(body.path("host").asText()).isEqualTo("db.example.com");
        assertThat(body.path("port").asInt()).isEqualTo(5432);
        assertThat(body.path("database").asText()).isEqualTo("orders");
        assertThat(body.path("username").asText()).isEqualTo("app");
        assertThat(body.path("sslMode").asText()).isEqualTo("verify-full");
        assertThat(body.path("password").asText()).isEqualTo(PASSWORD);
        assertThat(body.path("url").asText()).startsWith("postgresql://app:" + PASSWORD + "@db.example.com:5432/");
        assertThat(body.path("secretName").asText()).isEqualTo("app-credentials");
    }

    @Test
    void driftIsComputedAgainOnEveryRequest() {
        int before = drift.calls().size();
        SecuredServer.Response first = server.as("admin").get(DRIFT);
        SecuredServer.Response second = server.as("admin").get(DRIFT);

        assertThat(first.code()).as("%s", first).isEqualTo(200);
        assertThat(second.code()).isEqualTo(200);
        assertThat(drift.calls().size() - before).isEqualTo(2);
        assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode body = first.json();
        assertThat(body.path("kind").asText()).isEqualTo("DatabaseDrift");
        assertThat(body.path("checkedAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(body.path("detected").asBoolean()).isTrue();
        assertThat(body.path("diffs").get(0).path("field").asText()).isEqualTo("owner");
        assertThat(body.path("diffs").get(0).path("actual").asText()).isEqualTo("postgres");
    }

    @Test
    void yamlWhenAskedForJsonAfterATableAndNothingOnlyForATable() {
        SecuredServer.Response yaml =
                server.as("admin").header("Accept", "application/yaml").get(CREDENTIALS);
        assertThat(yaml.code()).isEqualTo(200);
        assertThat(yaml.headers().firstValue("Content-Type")).hasValue("application/yaml");
        assertThat(yaml.body())
                .startsWith("apiVersion: dbops.dbprovision.io/v1alpha1\nkind: DatabaseUserCredentials\n")
                .contains("sslMode: verify-full\n");

        // kubectl get asks for a Table first: the answer is not one, so the JSON it lists next
        SecuredServer.Response json =
                server.as("admin").header("Accept", TABLE_THEN_JSON).get(CREDENTIALS);
        assertThat(json.code()).isEqualTo(200);
        assertThat(json.json().path("kind").asText()).isEqualTo("DatabaseUserCredentials");

        int before = credentials.calls().size();
        for (String accept : List.of(
                "application/json;as=Table;v=v1;g=meta.k8s.io",
                "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io",
                "application/vnd.kubernetes.protobuf",
                "text/html")) {
            SecuredServer.Response refused =
                    server.as("admin").header("Accept", accept).get(CREDENTIALS);
            assertThat(refused.code()).as(accept).isEqualTo(406);
            assertThat(refused.json().path("reason").asText()).isEqualTo("NotAcceptable");
            assertThat(refused.body()).doesNotContain(PASSWORD);
        }
        assertThat(credentials.calls()).as("no answer is computed for a 406").hasSize(before);
    }

    @Test
    void headAnswersWithoutABody() {
        SecuredServer.Response head = server.as("admin").head(CREDENTIALS);
        assertThat(head.code()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @Test
    void aMissingParentIsTheReadersNotFound() {
        SecuredServer.Response response = server.as("admin").get(USERS + "/ghost/credentials");

        assertThat(response.code()).isEqualTo(404);
        assertThat(response.json().path("kind").asText()).isEqualTo("Status");
        assertThat(response.json().path("reason").asText()).isEqualTo("NotFound");
        assertThat(response.message()).isEqualTo("databaseusers.dbops.dbprovision.io \"ghost\" not found");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(credentials.calls()).contains(NS + "/ghost");
    }

    @Test
    void everyMethodButGetIs405AndNeverReachesTheReader() {
        int before = credentials.calls().size();
        List<SecuredServer.Response> responses = List.of(
                server.as("admin").post(CREDENTIALS, "{}"),
                server.as("admin").put(CREDENTIALS, "{}"),
                server.as("admin").mergePatch(CREDENTIALS, "{}"),
                server.as("admin").delete(CREDENTIALS),
                server.as("admin").send("OPTIONS", CREDENTIALS, null, null),
                server.as("admin").get(CREDENTIALS + "?watch=true"),
                server.as("admin").get(DRIFT + "?watch=1"));
        for (SecuredServer.Response response : responses) {
            assertThat(response.code()).as("%s", response).isEqualTo(405);
            assertThat(response.json().path("reason").asText()).isEqualTo("MethodNotAllowed");
        }
        SecuredServer.Response malformed = server.as("admin").get(CREDENTIALS + "?watch=maybe");
        assertThat(malformed.code()).isEqualTo(400);
        assertThat(credentials.calls()).hasSize(before);
    }

    @Test
    void subresourcesNotRegisteredAndPathsOfTheWrongScopeAre404() {
        for (String path : List.of(
                USERS + "/app/secret",
                USERS + "/app/credentials/more",
                GV + "/namespaces/" + NS + "/databases/orders/credentials",
                GV + "/namespaces/" + NS + "/databaseinstances/pg/drift",
                GV + "/databaseusers/app/credentials",
                GV + "/clusterdatabaseinstances/pg/drift")) {
            SecuredServer.Response response = server.as("admin").get(path);
            assertThat(response.code()).as(path).isEqualTo(404);
            assertThat(response.json().path("kind").asText()).as(path).isEqualTo("Status");
        }
    }

    @Test
    void aReaderThatFailsIsA500WhoseMessageAndLogHoldNoSecret() {
        RecordingSubresourceReader failing = credentials;
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        SecuredServer.Response response;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Supplier<RuntimeException> leak = () -> new IllegalStateException(
                "cannot parse url postgresql://app:" + PASSWORD + "@db",
                new IllegalArgumentException("password " + PASSWORD));
        try {
            failing.failWith(leak);
            response = server.as("admin").get(CREDENTIALS);
        } finally {
            failing.failWith(null);
            System.setErr(original);
        }
        assertThat(response.code()).isEqualTo(500);
        assertThat(response.message()).isEqualTo("an internal error occurred");
        assertThat(response.body()).doesNotContain(PASSWORD);
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log)
                .contains("DatabaseUser(" + NS + "/app) credentials: the reader failed with")
                .contains("IllegalStateException")
                .doesNotContain(PASSWORD);
    }

    // ---- authorization

    @Test
    void aRoleGrantingGetOnDatabaseUsersDoesNotAllowTheirCredentials() {
        int before = credentials.calls().size();
        assertThat(server.as("user-reader").get(USERS + "/app").code()).isEqualTo(200);

        SecuredServer.Response refused = server.as("user-reader").get(CREDENTIALS);

        assertThat(refused.code()).isEqualTo(403);
        assertThat(refused.json().path("reason").asText()).isEqualTo("Forbidden");
        assertThat(refused.message())
                .startsWith("databaseusers.dbops.dbprovision.io \"app\" is forbidden: User \"user-reader\" cannot get"
                        + " resource \"databaseusers/credentials\" in API group \"dbops.dbprovision.io\" in the"
                        + " namespace \"" + NS + "\"");
        assertThat(refused.body()).doesNotContain(PASSWORD);
        assertThat(credentials.calls())
                .as("a refused request never reaches the reader")
                .hasSize(before);
    }

    @Test
    void aRoleGrantingGetOnTheCredentialsSubresourceAllowsThemAndNotTheUser() {
        SecuredServer.Response allowed = server.as("credentials-reader").get(CREDENTIALS);
        assertThat(allowed.code()).as("%s", allowed).isEqualTo(200);
        assertThat(allowed.json().path("password").asText()).isEqualTo(PASSWORD);

        assertThat(server.as("credentials-reader").get(USERS + "/app").code()).isEqualTo(403);
        assertThat(server.as("credentials-reader").get(DRIFT).code()).isEqualTo(403);
        assertThat(server.as("credentials-reader").delete(CREDENTIALS).code())
                .as("authorization comes first: delete is not granted")
                .isEqualTo(403);
        // */credentials is the subresource of every resource, as in Kubernetes' RBAC
        assertThat(server.as("any-credentials-reader").get(CREDENTIALS).code()).isEqualTo(200);
        assertThat(server.as("any-credentials-reader").get(USERS + "/app").code())
                .isEqualTo(403);
    }

    // ---- discovery and OpenAPI

    @Test
    void discoveryListsBothSubresourcesWithVerbGetAndTheirKind() {
        JsonNode resources = server.as("admin").get(GV).json().path("resources");
        List<String> names = new ArrayList<>();
        resources.forEach(resource -> names.add(resource.path("name").asText()));
        assertThat(names)
                .containsSubsequence("databases", "databases/status", "databases/drift")
                .containsSubsequence("databaseusers", "databaseusers/status", "databaseusers/credentials");
        JsonNode entry = find(resources, "name", "databaseusers/credentials");
        assertThat(entry.path("kind").asText()).isEqualTo("DatabaseUserCredentials");
        assertThat(entry.path("namespaced").asBoolean()).isTrue();
        assertThat(entry.path("verbs").toString()).isEqualTo("[\"get\"]");

        SecuredServer.Response aggregated = server.as("admin")
                .header("Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
                .get("/apis");
        assertThat(aggregated.code()).isEqualTo(200);
        JsonNode group = find(aggregated.json().path("items"), "metadata", "dbops.dbprovision.io");
        JsonNode users = find(group.path("versions").get(0).path("resources"), "resource", "databaseusers");
        JsonNode subresource = find(users.path("subresources"), "subresource", "credentials");
        assertThat(subresource.path("responseKind").path("kind").asText()).isEqualTo("DatabaseUserCredentials");
        assertThat(subresource.path("responseKind").path("group").asText()).isEqualTo("dbops.dbprovision.io");
        assertThat(subresource.path("verbs").toString()).isEqualTo("[\"get\"]");
        JsonNode databases = find(group.path("versions").get(0).path("resources"), "resource", "databases");
        assertThat(find(databases.path("subresources"), "subresource", "drift")
                        .path("responseKind")
                        .path("kind")
                        .asText())
                .isEqualTo("DatabaseDrift");
    }

    @Test
    void theOpenApiDocumentsHaveTheGetPathsAndTheResponseSchemas() {
        String credentialsPath = GV + "/namespaces/{namespace}/databaseusers/{name}/credentials";
        String driftPath = GV + "/namespaces/{namespace}/databases/{name}/drift";
        JsonNode root = server.as("admin").get("/openapi/v3").json();
        String url = root.path("paths")
                .path("apis/dbops.dbprovision.io/v1alpha1")
                .path("serverRelativeURL")
                .asText();
        JsonNode v3 = server.as("admin").get(url).json();
        assertThat(v3.path("paths")
                        .path(credentialsPath)
                        .path("get")
                        .path("operationId")
                        .asText())
                .isEqualTo("readDbopsDbprovisionIoV1alpha1NamespacedDatabaseUserCredentials");
        assertThat(v3.path("paths").path(driftPath).path("get").isObject()).isTrue();
        assertThat(v3.path("components").path("schemas").has("io.dbprovision.dbops.v1alpha1.DatabaseUserCredentials"))
                .isTrue();

        JsonNode v2 = server.as("admin").get("/openapi/v2").json();
        assertThat(v2.path("paths")
                        .path(credentialsPath)
                        .path("get")
                        .path("responses")
                        .path("200")
                        .path("schema"))
                .hasToString("{\"$ref\":\"#/definitions/io.dbprovision.dbops.v1alpha1.DatabaseUserCredentials\"}");
        assertThat(v2.path("definitions").has("io.dbprovision.dbops.v1alpha1.DatabaseDrift"))
                .isTrue();
    }

    // ---- audit

    @Test
    void theAuditLogAtLevelRequestResponseRecordsTheRequestButNeverTheCredentials() {
        SecuredServer.Response response = server.as("credentials-reader").get(CREDENTIALS);
        assertThat(response.code()).isEqualTo(200);
        String auditId = response.headers().firstValue("Audit-Id").orElseThrow();

        String line = awaitLineOf(auditId);
        JsonNode event = read(line);
        assertThat(event.path("level").asText())
                .as("RequestResponse is recorded as Metadata: no body reaches the log")
                .isEqualTo("Metadata");
        assertThat(event.path("verb").asText()).isEqualTo("get");
        assertThat(event.path("objectRef").path("resource").asText()).isEqualTo("databaseusers");
        assertThat(event.path("objectRef").path("subresource").asText()).isEqualTo("credentials");
        assertThat(event.path("objectRef").path("name").asText()).isEqualTo("app");
        assertThat(event.path("responseStatus").path("code").asInt()).isEqualTo(200);
        assertThat(event.has("responseObject")).isFalse();
        assertThat(event.has("requestObject")).isFalse();
        assertThat(line).doesNotContain(PASSWORD);
        // after every other test's requests too (those run before this one, or in any order: all of its own)
        awaitLineOf(server.as("admin")
                .get("/version")
                .headers()
                .firstValue("Audit-Id")
                .orElseThrow());
        assertThat(readLog()).doesNotContain(PASSWORD);
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode item : array) {
            JsonNode candidate = item.path(field);
            String text = candidate.isObject() ? candidate.path("name").asText() : candidate.asText();
            if (text.equals(value)) {
                return item;
            }
        }
        throw new AssertionError("no item with " + field + " " + value + " in " + array);
    }

    private static String awaitLineOf(String auditId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            String log = readLog();
            String whole = log.substring(0, log.lastIndexOf('\n') + 1);
            for (String line : whole.split("\n")) {
                if (!line.isBlank() && read(line).path("auditID").asText().equals(auditId)) {
                    return line;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no audit line of " + auditId + " in 10s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    private static String readLog() {
        try {
            return Files.exists(auditLog) ? Files.readString(auditLog) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode read(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not one JSON event: " + line, e);
        }
    }
}
