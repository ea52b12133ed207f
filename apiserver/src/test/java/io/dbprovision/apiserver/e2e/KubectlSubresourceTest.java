package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbprovision.apiserver.registry.RecordingSubresourceReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real kubectl (the newest version of the suite: one is enough, the request is a plain GET) against computed
 * subresources answered by a test reader: {@code kubectl get --raw} prints the credentials and the drift, refuses a
 * user whose Role grants {@code get databaseusers} but not {@code databaseusers/credentials}, and api-resources keeps
 * listing kinds only.
 */
class KubectlSubresourceTest {
    private static final String SUFFIX =
            HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
    private static final String NS = "kubectl-subres-" + SUFFIX;
    private static final String PASSWORD = "pw-" + SUFFIX;
    private static final String GV = "/apis/dbops.dbprovision.io/v1alpha1";
    private static final String CREDENTIALS = GV + "/namespaces/" + NS + "/databaseusers/app/credentials";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    private static SecuredServer server;
    private static Kubectl admin;
    private static Kubectl userReader;

    @BeforeAll
    static void start() {
        server = SecuredServer.startServing(
                work,
                List.of(new SecuredServer.User("user-reader", "uid-1", List.of())),
                List.of(
                        RecordingSubresourceReader.credentials()
                                .answering(NS, "app", RecordingSubresourceReader.credentialsOf("app", PASSWORD))
                                .served(),
                        RecordingSubresourceReader.drift()
                                .answering(NS, "orders", RecordingSubresourceReader.ownerDriftOf(NS, "orders"))
                                .served()));
        server.create("/api/v1/namespaces", """
                {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}""".formatted(NS));
        String rbac = "/apis/rbac.authorization.k8s.io/v1/namespaces/" + NS;
        server.create(rbac + "/roles", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata:
                  name: user-reader
                rules:
                - apiGroups: ["dbops.dbprovision.io"]
                  resources: ["databaseusers"]
                  verbs: ["get", "list"]
                """);
        server.create(rbac + "/rolebindings", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: user-reader
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: Role
                  name: user-reader
                subjects:
                - kind: User
                  name: user-reader
                """);
        StandaloneAuthorizationMatrixTest.await(
                "user-reader's binding",
                () -> server.as("user-reader")
                                .get(GV + "/namespaces/" + NS + "/databaseusers")
                                .code()
                        == 200);
        String version = KubectlVersions.list().getLast();
        admin = Kubectl.of(version, server.kubeconfigFor("admin", NS), work.resolve("admin"));
        userReader = Kubectl.of(version, server.kubeconfigFor("user-reader", NS), work.resolve("user-reader"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void getRawPrintsTheCredentials() throws IOException {
        String out = admin.run("get", "--raw", CREDENTIALS).ok().stdout();
        JsonNode credentials = JSON.readTree(out);
        assertThat(credentials.path("kind").asText()).isEqualTo("DatabaseUserCredentials");
        assertThat(credentials.path("metadata").path("namespace").asText()).isEqualTo(NS);
        assertThat(credentials.path("username").asText()).isEqualTo("app");
        assertThat(credentials.path("password").asText()).isEqualTo(PASSWORD);
        assertThat(credentials.path("sslMode").asText()).isEqualTo("verify-full");
    }

    @Test
    void getRawPrintsTheDriftAndTheReadersNotFound() throws IOException {
        JsonNode drift = JSON.readTree(admin.run("get", "--raw", GV + "/namespaces/" + NS + "/databases/orders/drift")
                .ok()
                .stdout());
        assertThat(drift.path("kind").asText()).isEqualTo("DatabaseDrift");
        assertThat(drift.path("diffs").get(0).path("field").asText()).isEqualTo("owner");

        Kubectl.Result missing = admin.run("get", "--raw", GV + "/namespaces/" + NS + "/databases/ghost/drift");
        assertThat(missing.exitCode()).as("%s", missing).isNotZero();
        assertThat(missing.stderr()).contains("NotFound");
    }

    @Test
    void aUserWhoMayGetDatabaseUsersIsRefusedTheirCredentials() {
        Kubectl.Result refused = userReader.run("get", "--raw", CREDENTIALS);
        assertThat(refused.exitCode()).as("%s", refused).isNotZero();
        assertThat(refused.stderr()).contains("Forbidden");
        assertThat(refused.stdout() + refused.stderr()).doesNotContain(PASSWORD);

        assertThat(userReader
                        .run("auth", "can-i", "get", "databaseusers")
                        .stdout()
                        .trim())
                .isEqualTo("yes");
        assertThat(userReader
                        .run("auth", "can-i", "get", "databaseusers", "--subresource=credentials")
                        .stdout()
                        .trim())
                .isEqualTo("no");
    }

    @Test
    void apiResourcesStillListsKindsOnly() {
        List<String> names = admin.run("api-resources", "--api-group=dbops.dbprovision.io", "-o", "name")
                .ok()
                .lines();
        assertThat(names).hasSize(11).noneMatch(name -> name.contains("/"));
    }
}
