package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log of a standalone server started with {@code --audit-log-path} (and no policy: every request at level
 * Metadata), read back after real HTTPS requests: each request is exactly one JSON line, found by the
 * {@code Audit-Id} the server answered with, holding who asked (and whom they impersonated), the verb, the object,
 * the code and the user agent; the line of a Secret's create holds no value of the Secret.
 */
class StandaloneAuditTest {
    private static final String SUFFIX =
            HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
    private static final String APP = "audited-" + SUFFIX;
    private static final String DBA = "dba-" + SUFFIX;
    private static final String SHARED = "shared-" + SUFFIX;
    private static final String SA = "system:serviceaccount:" + APP + ":default";
    private static final String USER_AGENT = "audit-e2e/1.0 (" + SUFFIX + ")";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    private static Path auditLog;
    private static SecuredServer server;

    @BeforeAll
    static void start() {
        auditLog = work.resolve("audit/audit.log");
        server = SecuredServer.startAudited(
                work,
                List.of(
                        new SecuredServer.User("dev", "uid-dev", List.of("developers")),
                        new SecuredServer.User("impersonator", "uid-impersonator", List.of()),
                        new SecuredServer.User("nobody", "uid-nobody", List.of())),
                auditLog);
        for (String namespace : List.of(APP, DBA, SHARED)) {
            server.create(
                    "/api/v1/namespaces",
                    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + namespace + "\"}}");
        }
        SecurityPage.grant(server, APP, DBA, SHARED, SA);
        server.create(StandaloneAuthorizationMatrixTest.collection("databases", APP), """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata:
                  name: orders
                spec:
                  instanceRef:
                    name: pg
                  deletionProtection: false
                """);
        StandaloneAuthorizationMatrixTest.await(
                "dev's binding",
                () -> server.as("dev")
                                .get(StandaloneAuthorizationMatrixTest.collection("databases", APP))
                                .code()
                        == 200);
        StandaloneAuthorizationMatrixTest.await(
                "impersonator's binding",
                () -> server.as("impersonator")
                                .impersonating("dev")
                                .get(StandaloneAuthorizationMatrixTest.collection("databases", APP))
                                .code()
                        == 200);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String orders() {
        return StandaloneAuthorizationMatrixTest.collection("databases", APP) + "/orders";
    }

    @Test
    void aRequestIsOneLineWithUserVerbObjectCodeAuditIdAndUserAgent() {
        SecuredServer.Response response =
                server.as("dev").header("User-Agent", USER_AGENT).get(orders());
        assertThat(response.code()).isEqualTo(200);

        JsonNode event = theOnlyLineOf(response);
        assertThat(event.path("kind").asText()).isEqualTo("Event");
        assertThat(event.path("apiVersion").asText()).isEqualTo("audit.k8s.io/v1");
        assertThat(event.path("level").asText()).isEqualTo("Metadata");
        assertThat(event.path("stage").asText()).isEqualTo("ResponseComplete");
        assertThat(event.path("auditID").asText()).isEqualTo(auditId(response));
        assertThat(event.path("user").path("username").asText()).isEqualTo("dev");
        assertThat(event.path("user").path("uid").asText()).isEqualTo("uid-dev");
        assertThat(event.path("user").path("groups").toString())
                .contains("developers")
                .contains("system:authenticated");
        assertThat(event.has("impersonatedUser")).isFalse();
        assertThat(event.path("verb").asText()).isEqualTo("get");
        assertThat(event.path("objectRef").path("resource").asText()).isEqualTo("databases");
        assertThat(event.path("objectRef").path("namespace").asText()).isEqualTo(APP);
        assertThat(event.path("objectRef").path("name").asText()).isEqualTo("orders");
        assertThat(event.path("objectRef").path("apiGroup").asText()).isEqualTo("dbops.dbprovision.io");
        assertThat(event.path("objectRef").path("apiVersion").asText()).isEqualTo("v1alpha1");
        assertThat(event.path("responseStatus").path("code").asInt()).isEqualTo(200);
        assertThat(event.path("userAgent").asText()).isEqualTo(USER_AGENT);
        assertThat(event.path("requestURI").asText()).isEqualTo(orders());
        assertThat(event.path("sourceIPs").get(0).asText()).isEqualTo("127.0.0.1");
        assertThat(event.path("annotations")
                        .path("authorization.k8s.io/decision")
                        .asText())
                .isEqualTo("allow");
    }

    @Test
    void aRefusedRequestIsOneLineWithItsCode() {
        SecuredServer.Response response = server.as("dev")
                .header("User-Agent", USER_AGENT)
                .get(StandaloneAuthorizationMatrixTest.collection("secrets", APP) + "/orders-credentials");
        assertThat(response.code()).isEqualTo(403);

        JsonNode event = theOnlyLineOf(response);
        assertThat(event.path("user").path("username").asText()).isEqualTo("dev");
        assertThat(event.path("verb").asText()).isEqualTo("get");
        assertThat(event.path("objectRef").path("resource").asText()).isEqualTo("secrets");
        assertThat(event.path("objectRef").path("name").asText()).isEqualTo("orders-credentials");
        assertThat(event.path("responseStatus").path("code").asInt()).isEqualTo(403);
        assertThat(event.path("annotations")
                        .path("authorization.k8s.io/decision")
                        .asText())
                .isEqualTo("forbid");
    }

    @Test
    void aRequestWithUnknownCredentialsIsOneLineWith401() {
        SecuredServer.Response response =
                server.withUnknownToken().header("User-Agent", USER_AGENT).get(orders());
        assertThat(response.code()).isEqualTo(401);

        JsonNode event = theOnlyLineOf(response);
        assertThat(event.path("user").path("username").asText()).isEqualTo("system:anonymous");
        assertThat(event.path("objectRef").path("name").asText()).isEqualTo("orders");
        assertThat(event.path("responseStatus").path("code").asInt()).isEqualTo(401);
        assertThat(event.path("userAgent").asText()).isEqualTo(USER_AGENT);
        assertThat(theOnlyRawLineOf(response)).doesNotContain("not-a-token-of-this-server");
    }

    @Test
    void anImpersonatedRequestNamesTheCallerAndTheImpersonatedUser() {
        SecuredServer.Response response = server.as("impersonator")
                .impersonating("dev")
                .header("User-Agent", USER_AGENT)
                .mergePatch(orders(), "{\"metadata\":{\"labels\":{\"audited\":\"yes\"}}}");
        assertThat(response.code()).as("%s", response).isEqualTo(200);

        JsonNode event = theOnlyLineOf(response);
        assertThat(event.path("user").path("username").asText()).isEqualTo("impersonator");
        assertThat(event.path("impersonatedUser").path("username").asText()).isEqualTo("dev");
        assertThat(event.path("verb").asText()).isEqualTo("patch");
        assertThat(event.path("objectRef").path("name").asText()).isEqualTo("orders");
        assertThat(event.path("responseStatus").path("code").asInt()).isEqualTo(200);
        assertThat(event.path("userAgent").asText()).isEqualTo(USER_AGENT);
    }

    @Test
    void aRefusedImpersonationIsOneLineOfTheCaller() {
        SecuredServer.Response response = server.as("nobody")
                .impersonating("dev")
                .header("User-Agent", USER_AGENT)
                .get(orders());
        assertThat(response.code()).isEqualTo(403);

        JsonNode event = theOnlyLineOf(response);
        assertThat(event.path("user").path("username").asText()).isEqualTo("nobody");
        assertThat(event.has("impersonatedUser")).isFalse();
        assertThat(event.path("responseStatus").path("code").asInt()).isEqualTo(403);
    }

    @Test
    void theLineOfASecretsCreateHoldsNoValueOfTheSecret() {
        String password = "pw-" + SUFFIX + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        String token =
                "tk-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        String encodedToken = Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
        SecuredServer.Response response = server.as("admin")
                .header("User-Agent", USER_AGENT)
                .post(StandaloneAuthorizationMatrixTest.collection("secrets", APP), """
                        apiVersion: v1
                        kind: Secret
                        metadata:
                          name: orders-credentials
                        type: Opaque
                        stringData:
                          password: %s
                        data:
                          token: %s
                        """.formatted(
                                password, encodedToken));
        assertThat(response.code()).as("%s", response).isEqualTo(201);
        assertThat(response.body()).contains(encodedToken); // the answer holds it: the log must not

        String line = theOnlyRawLineOf(response);
        assertThat(line).doesNotContain(password, token, encodedToken, base64(password));
        JsonNode event = read(line);
        assertThat(event.path("verb").asText()).isEqualTo("create");
        assertThat(event.path("user").path("username").asText()).isEqualTo("admin");
        assertThat(event.path("objectRef").path("resource").asText()).isEqualTo("secrets");
        assertThat(event.path("objectRef").path("namespace").asText()).isEqualTo(APP);
        assertThat(event.path("responseStatus").path("code").asInt()).isEqualTo(201);
        assertThat(event.has("requestObject")).isFalse();
        assertThat(event.has("responseObject")).isFalse();
        // and nowhere in the whole log
        assertThat(readLog()).doesNotContain(password, token, encodedToken, base64(password));
    }

    // ---- reading the log

    private static String auditId(SecuredServer.Response response) {
        return response.headers().firstValue("Audit-Id").orElseThrow();
    }

    private static JsonNode theOnlyLineOf(SecuredServer.Response response) {
        return read(theOnlyRawLineOf(response));
    }

    /**
     * The one line of the response's audit id. The log is written behind the requests: wait for the line, then for
     * the line of a later request, so that a second line of the same id would have been written by then.
     */
    private static String theOnlyRawLineOf(SecuredServer.Response response) {
        String auditId = auditId(response);
        awaitLineOf(auditId);
        SecuredServer.Response later = server.as("admin").get("/version");
        awaitLineOf(auditId(later));
        List<String> lines = linesOf(auditId);
        assertThat(lines).as("audit lines of %s", auditId).hasSize(1);
        return lines.getFirst();
    }

    private static void awaitLineOf(String auditId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (linesOf(auditId).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no audit line of " + auditId + " in 10s; the log holds:\n" + readLog());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    private static List<String> linesOf(String auditId) {
        List<String> found = new ArrayList<>();
        String log = readLog();
        // only whole lines: the last one may be being written
        String whole = log.substring(0, log.lastIndexOf('\n') + 1);
        for (String line : whole.split("\n")) {
            if (!line.isBlank() && read(line).path("auditID").asText().equals(auditId)) {
                found.add(line);
            }
        }
        return found;
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

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
