package io.dbprovision.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.auth.delegated.ClusterConnection;
import io.dbprovision.apiserver.auth.delegated.DelegatedOptions;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconcilers of delegated mode work on the cluster's core v1: the real {@link DelegatedServer} (embedded
 * storage, the in-process provisioner) against a fake kube-apiserver that serves Secrets and Events. A
 * DatabaseInstance on the shared MariaDB takes its admin credentials from a Secret that exists only in the cluster;
 * a Database and a DatabaseUser are created through the server's REST API by a user of {@code system:masters} (the
 * aggregator's front proxy). The user's credentials Secret is written to the cluster, owned by the DatabaseUser,
 * with a password that logs in; Events about the objects are written to the cluster; deleting the DatabaseUser drops
 * the MariaDB user and its Secret. A DatabaseUser that names the admin Secret as its credentials Secret is refused
 * and leaves it as it was. Engine-side names start with {@code dbpsp_} and are dropped before and after.
 */
class DelegatedReconcileTest {
    private static final String SA_TOKEN = "service-account-token-of-dbprovision";
    private static final Duration DAY = Duration.ofDays(1);
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final String NS = "team-a";
    private static final String API = "/apis/dbops.dbprovision.io/v1alpha1/namespaces/" + NS;
    private static final String MARIADB = "jdbc:mysql://127.0.0.1:3306/";
    private static final String DATABASE = "dbpsp_delegated";
    private static final String USER = "dbpsp_delegated_app";
    private static final String THIEF = "dbpsp_delegated_thief";
    private static final String CREDENTIALS_SECRET = "delegated-app-credentials";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final Pki.Issued frontProxyCa = Pki.newCa("front-proxy-ca", DAY);
    private final Pki.Issued frontProxy = Pki.newClient(frontProxyCa, "front-proxy-client", List.of(), DAY);
    private final Pki.Issued servingCa = Pki.newCa("dbprovision-serving-ca", DAY);
    private FakeKubeApiServer cluster;
    private DelegatedServer server;
    private TlsClient client;

    @BeforeEach
    void start() throws Exception {
        dropEngineObjects();
        cluster = FakeKubeApiServer.start(SA_TOKEN);
        cluster.putConfigMap(FakeKubeApiServer.configMapData(
                Optional.empty(), Optional.of(frontProxyCa), List.of("front-proxy-client")));
        // The admin Secret lives in the cluster only: the server has no Secrets of its own in this mode.
        cluster.secrets.put(secret("mariadb-admin", Map.of("username", "root", "password", "")));

        Path certificate = dir.resolve("tls/tls.crt");
        Path key = dir.resolve("tls/tls.key");
        Pki.Issued serving =
                Pki.newServing(servingCa, "dbprovision-apiserver", List.of("localhost"), List.of("127.0.0.1"), DAY);
        Files.createDirectories(certificate.getParent());
        Files.writeString(key, serving.keyPem());
        Files.writeString(certificate, serving.certificatePem() + servingCa.certificatePem());
        ClusterConnection.InCluster inCluster =
                cluster.writeServiceAccount(dir.resolve("serviceaccount"), SA_TOKEN, Duration.ofMinutes(1));
        server = DelegatedServer.start(DelegatedServer.Options.of(
                        new StorageChoice.Embedded(dir.resolve("data"), false),
                        DelegatedOptions.builder().inCluster(inCluster).build())
                .withListen("127.0.0.1", 0)
                .withServing(DelegatedServer.Serving.files(certificate, key).withCheckInterval(Duration.ZERO)));
        client = TlsClient.presenting(servingCa.certificate(), frontProxy);
    }

    @AfterEach
    void stop() throws SQLException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        dropEngineObjects();
    }

    @Test
    void credentialsSecretsAndEventsGoToTheClusterAndDeletionDropsTheEngineUser() throws Exception {
        create("databaseinstances", """
                {"apiVersion": "dbops.dbprovision.io/v1alpha1", "kind": "DatabaseInstance",
                 "metadata": {"name": "mariadb"},
                 "spec": {"engine": "mariadb", "deletionProtection": false,
                          "connection": {"host": "127.0.0.1", "port": 3306, "secretRef": {"name": "mariadb-admin"}}}}
                """);
        awaitReady("databaseinstances", "mariadb");
        create("databases", """
                {"apiVersion": "dbops.dbprovision.io/v1alpha1", "kind": "Database",
                 "metadata": {"name": "delegated"},
                 "spec": {"instanceRef": {"name": "mariadb"}, "name": "%s", "deletionProtection": false}}
                """.formatted(DATABASE));
        JsonNode user = create("databaseusers", """
                {"apiVersion": "dbops.dbprovision.io/v1alpha1", "kind": "DatabaseUser",
                 "metadata": {"name": "delegated-app"},
                 "spec": {"instanceRef": {"name": "mariadb"}, "username": "%s",
                          "passwordSecret": {"secretName": "%s"}}}
                """.formatted(USER, CREDENTIALS_SECRET));
        awaitReady("databases", "delegated");
        awaitReady("databaseusers", "delegated-app");

        // The credentials Secret is the cluster's, owned by the DatabaseUser, and its password logs in.
        ObjectNode secret = cluster.secrets.object(NS, CREDENTIALS_SECRET).orElseThrow();
        JsonNode owner = secret.path("metadata").path("ownerReferences").path(0);
        assertThat(owner.path("apiVersion").asText()).isEqualTo("dbops.dbprovision.io/v1alpha1");
        assertThat(owner.path("kind").asText()).isEqualTo("DatabaseUser");
        assertThat(owner.path("name").asText()).isEqualTo("delegated-app");
        assertThat(owner.path("uid").asText())
                .isEqualTo(user.path("metadata").path("uid").asText());
        assertThat(owner.path("controller").asBoolean()).isTrue();
        assertThat(decoded(secret, "username")).isEqualTo(USER);
        String password = decoded(secret, "password");
        assertThat(password).hasSize(32);
        try (Connection app = DriverManager.getConnection(MARIADB, USER, password)) {
            assertThat(app.isValid(5)).isTrue();
        }
        assertThat(engineUserExists()).isTrue();
        assertThat(databaseExists()).isTrue();

        // Events about each object, in the cluster, naming the object by uid; none carries the password.
        Await.until(
                "the instance's Connected event",
                CONVERGE,
                () -> eventAbout("DatabaseInstance", "mariadb", "Connected"));
        Await.until("the user's Created event", CONVERGE, () -> eventAbout("DatabaseUser", "delegated-app", "Created"));
        JsonNode created = events("DatabaseUser", "delegated-app").stream()
                .filter(event -> event.path("reason").asText().equals("Created"))
                .findFirst()
                .orElseThrow();
        assertThat(created.path("involvedObject").path("uid").asText())
                .isEqualTo(user.path("metadata").path("uid").asText());
        assertThat(created.path("involvedObject").path("namespace").asText()).isEqualTo(NS);
        assertThat(created.path("type").asText()).isEqualTo("Normal");
        assertThat(cluster.events.objects())
                .allSatisfy(event -> assertThat(event.toString()).doesNotContain(password));
        // The server keeps no Secret of its own: the REST API does not even serve them in this mode.
        assertThat(client.get(url("/api/v1/namespaces/" + NS + "/secrets"), asMaster())
                        .code())
                .isEqualTo(404);

        // Deleting the DatabaseUser drops the engine user, then its Secret, with an Event saying so.
        TlsClient.Response deleted = client.send("DELETE", url(API + "/databaseusers/delegated-app"), asMaster(), null);
        assertThat(deleted.code()).as("%s", deleted).isBetween(200, 202);
        Await.until(
                "the DatabaseUser is gone",
                CONVERGE,
                () -> client.get(url(API + "/databaseusers/delegated-app"), asMaster())
                                .code()
                        == 404);
        assertThat(engineUserExists()).isFalse();
        assertThatThrownBy(() ->
                        DriverManager.getConnection(MARIADB, USER, password).close())
                .isInstanceOf(SQLException.class);
        assertThat(cluster.secrets.object(NS, CREDENTIALS_SECRET)).isEmpty();
        assertThat(cluster.secrets.object(NS, "mariadb-admin"))
                .as("the admin Secret stays")
                .isPresent();
        Await.until("the user's Deleted event", CONVERGE, () -> eventAbout("DatabaseUser", "delegated-app", "Deleted"));

        // The Database goes too (deletionPolicy Delete), with its own event.
        client.send("DELETE", url(API + "/databases/delegated"), asMaster(), null);
        Await.until("the Database's Deleted event", CONVERGE, () -> eventAbout("Database", "delegated", "Deleted"));
        assertThat(databaseExists()).isFalse();
    }

    @Test
    void aDatabaseUserCannotTakeOverTheInstancesAdminSecretInTheCluster() throws Exception {
        create("databaseinstances", """
                {"apiVersion": "dbops.dbprovision.io/v1alpha1", "kind": "DatabaseInstance",
                 "metadata": {"name": "mariadb"},
                 "spec": {"engine": "mariadb", "deletionProtection": false,
                          "connection": {"host": "127.0.0.1", "port": 3306, "secretRef": {"name": "mariadb-admin"}}}}
                """);
        awaitReady("databaseinstances", "mariadb");
        ObjectNode adminBefore = cluster.secrets.object(NS, "mariadb-admin").orElseThrow();

        // Whoever may write DatabaseUsers names the admin Secret as their credentials Secret.
        create("databaseusers", """
                {"apiVersion": "dbops.dbprovision.io/v1alpha1", "kind": "DatabaseUser",
                 "metadata": {"name": "thief"},
                 "spec": {"instanceRef": {"name": "mariadb"}, "username": "%s",
                          "passwordSecret": {"secretName": "mariadb-admin"}}}
                """.formatted(THIEF));
        String path = url(API + "/databaseusers/thief");
        Await.until(
                "the thief's SecretConflict",
                CONVERGE,
                () -> client.get(path, asMaster())
                        .json()
                        .path("status")
                        .path("conditions")
                        .findValuesAsText("reason")
                        .contains("SecretConflict"));

        assertThat(cluster.secrets.object(NS, "mariadb-admin")).contains(adminBefore);
        try (Connection admin = DriverManager.getConnection(MARIADB, "root", "");
                PreparedStatement query = admin.prepareStatement("SELECT 1 FROM mysql.user WHERE user = ?")) {
            query.setString(1, THIEF);
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).as("no engine user for the thief").isFalse();
            }
        }
        Await.until(
                "the thief's Warning event",
                CONVERGE,
                () -> events("DatabaseUser", "thief").stream()
                        .anyMatch(event -> event.path("type").asText().equals("Warning")
                                && event.path("message").asText().contains("is not this DatabaseUser's")));
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    /** Creates an object through the REST API as the aggregator's system:masters user; returns it as stored. */
    private JsonNode create(String resource, String json) {
        TlsClient.Response response = client.send("POST", url(API + "/" + resource), asMaster(), json);
        assertThat(response.code()).as("%s", response).isEqualTo(201);
        return response.json();
    }

    private void awaitReady(String resource, String name) {
        String path = url(API + "/" + resource + "/" + name);
        try {
            Await.until(
                    resource + "/" + name + " Ready",
                    CONVERGE,
                    () -> client.get(path, asMaster())
                            .json()
                            .path("status")
                            .path("phase")
                            .asText()
                            .equals("Ready"));
        } catch (AssertionError notReady) {
            throw new AssertionError(
                    notReady.getMessage() + ": " + client.get(path, asMaster()).body(), notReady);
        }
    }

    private boolean eventAbout(String kind, String name, String reason) {
        return events(kind, name).stream()
                .anyMatch(event -> event.path("reason").asText().equals(reason));
    }

    private List<ObjectNode> events(String kind, String name) {
        return cluster.events.objects().stream()
                .filter(event ->
                        event.path("metadata").path("namespace").asText().equals(NS))
                .filter(event ->
                        event.path("involvedObject").path("kind").asText().equals(kind))
                .filter(event ->
                        event.path("involvedObject").path("name").asText().equals(name))
                .toList();
    }

    private String url(String path) {
        return "https://127.0.0.1:" + server.port() + path;
    }

    /** The aggregator's front proxy forwarding a request of a cluster administrator. */
    private static List<Map.Entry<String, String>> asMaster() {
        return List.of(Map.entry("X-Remote-User", "cluster-admin"), Map.entry("X-Remote-Group", "system:masters"));
    }

    private static ObjectNode secret(String name, Map<String, String> values) {
        ObjectNode secret = JSON.createObjectNode();
        secret.putObject("metadata").put("namespace", NS).put("name", name);
        ObjectNode data = secret.putObject("data");
        values.forEach((key, value) ->
                data.put(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        return secret;
    }

    private static String decoded(JsonNode secret, String key) {
        return new String(
                Base64.getDecoder().decode(secret.path("data").path(key).asText()), StandardCharsets.UTF_8);
    }

    private static boolean engineUserExists() throws SQLException {
        try (Connection admin = DriverManager.getConnection(MARIADB, "root", "");
                PreparedStatement query = admin.prepareStatement("SELECT 1 FROM mysql.user WHERE user = ?")) {
            query.setString(1, USER);
            try (ResultSet row = query.executeQuery()) {
                return row.next();
            }
        }
    }

    private static boolean databaseExists() throws SQLException {
        try (Connection admin = DriverManager.getConnection(MARIADB, "root", "");
                PreparedStatement query =
                        admin.prepareStatement("SELECT 1 FROM information_schema.schemata WHERE schema_name = ?")) {
            query.setString(1, DATABASE);
            try (ResultSet row = query.executeQuery()) {
                return row.next();
            }
        }
    }

    /** {@link #DATABASE}, {@link #USER} and {@link #THIEF}, written out: DDL takes no parameters. */
    private static void dropEngineObjects() throws SQLException {
        try (Connection admin = DriverManager.getConnection(MARIADB, "root", "");
                Statement sql = admin.createStatement()) {
            sql.execute("DROP DATABASE IF EXISTS dbpsp_delegated");
            sql.execute("DROP USER IF EXISTS 'dbpsp_delegated_app'@'%'");
            sql.execute("DROP USER IF EXISTS 'dbpsp_delegated_thief'@'%'");
        }
    }
}
