package io.dbprovision.apiserver.portal;

import static io.dbprovision.apiserver.portal.PortalChannels.bearer;
import static io.dbprovision.apiserver.portal.PortalChannels.metadata;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.server.StandaloneServer;
import io.dbprovision.proto.portal.v1alpha1.AccessProfile;
import io.dbprovision.proto.portal.v1alpha1.Connection;
import io.dbprovision.proto.portal.v1alpha1.CreateDatabaseInstanceRequest;
import io.dbprovision.proto.portal.v1alpha1.DatabaseInstancesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.DatabasesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.GetConnectionRequest;
import io.dbprovision.proto.portal.v1alpha1.ListDatabasesRequest;
import io.dbprovision.proto.portal.v1alpha1.PortalServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseProgress;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseRequest;
import io.dbprovision.proto.v1alpha1.ConnectionConfig;
import io.dbprovision.proto.v1alpha1.CredentialSecretRef;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseInstanceSpec;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RequestDatabase end to end on the real standalone server with its reconcilers and provisioner, on the machine's
 * PostgreSQL and MariaDB: the call streams progress and ends Ready with connection details (no password), whose
 * password (GetConnection with include_password) logs in over JDBC; a dry run stores nothing; the objects are
 * ordinary objects kubectl lists, with the caller's field manager.
 */
class RequestDatabaseTest {
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/";
    private static final String MARIADB = "jdbc:mysql://127.0.0.1:3306/";

    @TempDir
    static Path work;

    static StandaloneServer server;
    static PortalChannels channels;
    static ManagedChannel channel;

    @BeforeAll
    static void start() throws SQLException {
        dropEngineObjects();
        server = StandaloneServer.start(StandaloneServer.Options.of(work.resolve("data"), "127.0.0.1", 0, false)
                .withPortal("127.0.0.1", 0));
        channels = new PortalChannels(server.portalPort().orElseThrow(), server.caCertificate());
        channel = channels.anonymous();
        RestCalls rest = new RestCalls(server.port(), server.caCertificate());
        for (String secret : List.of("portal-pg-admin", "portal-my-admin")) {
            String user = secret.equals("portal-pg-admin") ? "postgres" : "root";
            var created = rest.send(
                    server.adminToken(),
                    "POST",
                    "/api/v1/namespaces/default/secrets",
                    "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"" + secret
                            + "\"},\"stringData\":{\"username\":\"" + user + "\",\"password\":\"\"}}");
            assertThat(created.code()).as(created.body()).isEqualTo(201);
        }
        var instances = bearer(DatabaseInstancesServiceGrpc.newBlockingStub(channel), server.adminToken());
        instances.createDatabaseInstance(CreateDatabaseInstanceRequest.newBuilder()
                .setParent("namespaces/default")
                .setDatabaseInstance(
                        instance("portal-pg", EngineType.ENGINE_TYPE_POSTGRES, 5432, "postgres", "portal-pg-admin"))
                .build());
        instances.createDatabaseInstance(CreateDatabaseInstanceRequest.newBuilder()
                .setParent("namespaces/default")
                .setDatabaseInstance(instance("portal-my", EngineType.ENGINE_TYPE_MARIADB, 3306, "", "portal-my-admin"))
                .build());
    }

    @AfterAll
    static void stop() throws SQLException {
        if (channels != null) {
            channels.close();
        }
        if (server != null) {
            server.close();
        }
        dropEngineObjects();
    }

    private static DatabaseInstance instance(String name, EngineType engine, int port, String database, String secret) {
        ConnectionConfig.Builder connection = ConnectionConfig.newBuilder()
                .setHost("127.0.0.1")
                .setPort(port)
                .setSecretRef(CredentialSecretRef.newBuilder().setName(secret));
        if (!database.isEmpty()) {
            connection.setDatabase(database);
        }
        return DatabaseInstance.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setName(name))
                .setSpec(DatabaseInstanceSpec.newBuilder()
                        .setEngine(engine)
                        .setConnection(connection)
                        .setDeletionProtection(false))
                .build();
    }

    private static PortalServiceGrpc.PortalServiceBlockingStub portal() {
        return metadata(
                bearer(PortalServiceGrpc.newBlockingStub(channel), server.adminToken())
                        .withDeadlineAfter(3, TimeUnit.MINUTES),
                Map.of("x-field-manager", "portal-test-backstage"));
    }

    private static List<RequestDatabaseProgress> request(String instance, String database, AccessProfile profile) {
        Iterator<RequestDatabaseProgress> stream = portal().requestDatabase(RequestDatabaseRequest.newBuilder()
                .setNamespace("default")
                .setInstance(instance)
                .setDatabase(database)
                .setProfile(profile)
                .putLabels("app", database)
                .build());
        List<RequestDatabaseProgress> messages = new ArrayList<>();
        stream.forEachRemaining(messages::add);
        return messages;
    }

    @Test
    void aPostgresDatabaseIsReadyAndItsPasswordLogsIn() throws Exception {
        List<RequestDatabaseProgress> progress = request("portal-pg", "portal-pg-orders", AccessProfile.READ_WRITE);
        RequestDatabaseProgress last = progress.getLast();
        assertThat(last.getReady()).isTrue();
        Connection connection = last.getConnection();
        assertThat(connection.getEngine()).isEqualTo("postgres");
        assertThat(connection.getDatabase()).isEqualTo("portal_pg_orders");
        assertThat(connection.getUser()).isEqualTo("portal_pg_orders_read_write");
        assertThat(connection.getPassword()).isEmpty();
        assertThat(connection.getUrl()).startsWith("postgresql://portal_pg_orders_read_write@127.0.0.1:5432/");
        assertThat(progress)
                .allSatisfy(message ->
                        assertThat(message.getConnection().getPassword()).isEmpty());

        Connection withPassword = portal().getConnection(GetConnectionRequest.newBuilder()
                .setName("namespaces/default/databaseusers/portal-pg-orders-read-write")
                .setIncludePassword(true)
                .build());
        assertThat(withPassword.getPassword()).isNotEmpty();
        try (var app = DriverManager.getConnection(
                        POSTGRES + withPassword.getDatabase(), withPassword.getUser(), withPassword.getPassword());
                Statement sql = app.createStatement();
                ResultSet result = sql.executeQuery("select current_user")) {
            result.next();
            assertThat(result.getString(1)).isEqualTo("portal_pg_orders_read_write");
        }

        // Asking again with the same shape reuses the objects and ends Ready at once.
        assertThat(request("portal-pg", "portal-pg-orders", AccessProfile.READ_WRITE)
                        .getLast()
                        .getReady())
                .isTrue();
    }

    @Test
    void aMariaDbDatabaseIsReadyAndItsPasswordLogsIn() throws Exception {
        RequestDatabaseProgress last =
                request("portal-my", "portal-my-shop", AccessProfile.OWNER).getLast();
        assertThat(last.getReady()).isTrue();
        Connection withPassword = portal().getConnection(GetConnectionRequest.newBuilder()
                .setName("namespaces/default/databaseusers/portal-my-shop-owner")
                .setIncludePassword(true)
                .build());
        assertThat(withPassword.getEngine()).isEqualTo("mariadb");
        try (var app = DriverManager.getConnection(
                        MARIADB + withPassword.getDatabase(), withPassword.getUser(), withPassword.getPassword());
                Statement sql = app.createStatement()) {
            sql.execute("CREATE TABLE items (id INT PRIMARY KEY)");
            sql.execute("INSERT INTO items VALUES (1)");
        }
    }

    @Test
    void aDryRunStoresNothingAndAnswersTheObjects() {
        List<RequestDatabaseProgress> messages = new ArrayList<>();
        portal().requestDatabase(RequestDatabaseRequest.newBuilder()
                        .setNamespace("default")
                        .setInstance("portal-pg")
                        .setDatabase("portal-pg-dry")
                        .setProfile(AccessProfile.READ_ONLY)
                        .setValidateOnly(true)
                        .build())
                .forEachRemaining(messages::add);
        assertThat(messages).hasSize(1);
        assertThat(messages.getFirst().getDatabase().getSpec().getName()).isEqualTo("portal_pg_dry");
        assertThat(messages.getFirst().getGrant().getSpec().getPostgres().getGrantsList())
                .isNotEmpty();
        var databases = bearer(DatabasesServiceGrpc.newBlockingStub(channel), server.adminToken());
        assertThat(databases
                        .listDatabases(ListDatabasesRequest.newBuilder()
                                .setParent("namespaces/default")
                                .build())
                        .getDatabasesList())
                .noneMatch(db -> db.getMetadata().getName().equals("portal-pg-dry"));
    }

    @Test
    void objectsCreatedOverGrpcAreListedByKubectlWithTheCallersFieldManager() throws Exception {
        assertThat(request("portal-pg", "portal-pg-kubectl", AccessProfile.READ_ONLY)
                        .getLast()
                        .getReady())
                .isTrue();
        Path home = Files.createDirectories(work.resolve("kubectl-home"));
        String kubectl = Path.of(System.getProperty("kubectl.dir", "/usr/lib/google-cloud-sdk/bin"), "kubectl.1.33")
                .toString();
        ProcessBuilder builder = new ProcessBuilder(
                        kubectl,
                        "--kubeconfig",
                        server.kubeconfig().toString(),
                        "get",
                        "databases",
                        "-n",
                        "default",
                        "portal-pg-kubectl",
                        "-o",
                        "yaml",
                        "--show-managed-fields")
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .directory(work.toFile());
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("KUBECONFIG");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output)
                .contains("name: portal-pg-kubectl")
                .contains("manager: portal-test-backstage")
                .contains("name: portal_pg_kubectl");
    }

    private static void dropEngineObjects() throws SQLException {
        try (var admin = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "");
                Statement sql = admin.createStatement()) {
            for (String database : List.of("portal_pg_orders", "portal_pg_kubectl", "portal_pg_dry")) {
                sql.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
            for (String role : List.of("portal_pg_orders_read_write", "portal_pg_kubectl_read_only")) {
                sql.execute("DROP ROLE IF EXISTS " + role);
            }
        }
        try (var admin = DriverManager.getConnection(MARIADB, "root", "");
                Statement sql = admin.createStatement()) {
            sql.execute("DROP DATABASE IF EXISTS portal_my_shop");
            sql.execute("DROP USER IF EXISTS 'portal_my_shop_owner'@'%'");
            sql.execute("DROP USER IF EXISTS 'portal_my_shop_owner'@'localhost'");
        }
    }
}
