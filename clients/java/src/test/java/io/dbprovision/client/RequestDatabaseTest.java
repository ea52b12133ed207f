package io.dbprovision.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbprovision.client.cli.CliMain;
import io.dbprovision.client.cli.Terminal;
import io.dbprovision.client.errors.DeadlineExceededException;
import io.dbprovision.client.errors.PermissionDeniedException;
import io.dbprovision.proto.portal.v1alpha1.AccessProfile;
import io.dbprovision.proto.portal.v1alpha1.Connection;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseProgress;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseRequest;
import io.dbprovision.proto.v1alpha1.ConnectionConfig;
import io.dbprovision.proto.v1alpha1.CredentialSecretRef;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseInstanceSpec;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.InstancePhase;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RequestDatabase end to end, from the SDK and from the CLI: the real server with its reconcilers and provisioner, the
 * machine's PostgreSQL (127.0.0.1:5432, postgres, trust), and a connection whose password logs in over JDBC. Every
 * name on PostgreSQL carries this run's id, and what the run created there is dropped afterwards.
 */
class RequestDatabaseTest {
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/";
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String NAMESPACE = "jsdk-req-" + RUN;

    @TempDir
    static Path work;

    private static RunningPortal portal;
    private static DbProvisionClient client;

    @BeforeAll
    static void start() {
        portal = RunningPortal.withReconcilers(work);
        portal.createNamespace(NAMESPACE);
        // Trust authentication: the password is not checked, but the instance needs a Secret with one.
        portal.createSecret(NAMESPACE, "pg-admin", "postgres", "unused");
        client = portal.client();
        client.databaseInstances().create(instance("pg", 5432));
    }

    /** A PostgreSQL instance on 127.0.0.1:{@code port} with the admin Secret pg-admin. */
    private static DatabaseInstance instance(String name, int port) {
        return DatabaseInstance.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setName(name).setNamespace(NAMESPACE))
                .setSpec(DatabaseInstanceSpec.newBuilder()
                        .setEngine(EngineType.ENGINE_TYPE_POSTGRES)
                        .setConnection(ConnectionConfig.newBuilder()
                                .setHost("127.0.0.1")
                                .setPort(port)
                                .setDatabase("postgres")
                                .setSecretRef(CredentialSecretRef.newBuilder().setName("pg-admin")))
                        .setDeletionProtection(false))
                .build();
    }

    @AfterAll
    static void stop() throws SQLException {
        if (client != null) {
            client.close();
        }
        if (portal != null) {
            portal.close();
        }
        dropWhatThisRunCreated();
    }

    private static RequestDatabaseRequest request(String name, AccessProfile profile) {
        return RequestDatabaseRequest.newBuilder()
                .setNamespace(NAMESPACE)
                .setInstance("pg")
                .setDatabase(name)
                .setDatabaseName(databaseName(name))
                .setProfile(profile)
                .putLabels("jsdk-run", RUN)
                .build();
    }

    private static String databaseName(String name) {
        return "jsdk_" + RUN + "_" + name.replace('-', '_');
    }

    @Test
    void aPlanNamesTheObjectsAndStoresNothing() {
        RequestDatabaseProgress plan = client.plan(request("planned", AccessProfile.OWNER));

        assertThat(plan.getDatabase().getMetadata().getName()).isEqualTo("planned");
        assertThat(plan.getUser().getMetadata().getName()).isEqualTo("planned-owner");
        assertThat(plan.getGrant().getMetadata().getName()).isNotEmpty();
        assertThat(plan.getReady()).isFalse();
        assertThat(client.databases().list(NAMESPACE))
                .noneSatisfy(db -> assertThat(db.getMetadata().getName()).isEqualTo("planned"));
    }

    @Test
    void aPlanShowsTheSql() {
        // The provisioner plans only on a Ready instance (otherwise the plan is empty, with a warning).
        awaitInstanceReady("pg");
        RequestDatabaseProgress plan = client.plan(request("sql-planned", AccessProfile.OWNER));

        assertThat(plan.getPlanList())
                .anySatisfy(statement -> assertThat(statement.getSql()).containsIgnoringCase("create database"));
        assertThat(cli("request", "sql-dry", "--instance", "pg", "-n", NAMESPACE, "--dry-run").out)
                .contains("SQL the provisioner would run:")
                .containsIgnoringCase("create database");
    }

    /** Watches the namespace's instances until {@code name} is Ready (the test's timeout bounds the wait). */
    private static void awaitInstanceReady(String name) {
        try (Watch<DatabaseInstance> watch = client.databaseInstances().watch(ListOptions.in(NAMESPACE))) {
            while (watch.hasNext()) {
                DatabaseInstance instance = watch.next().object();
                if (instance.getMetadata().getName().equals(name)
                        && instance.getStatus().getPhase() == InstancePhase.INSTANCE_PHASE_READY) {
                    return;
                }
            }
        }
        throw new AssertionError("the watch ended before DatabaseInstance " + name + " was Ready");
    }

    @Test
    void theConnectionOfAMissingUserIsNotFound() {
        CliOutput run = cli("connection", "jsdk-nouser", "-n", NAMESPACE, "--show-password");

        assertThat(run.code).as(run.toString()).isEqualTo(3);
        assertThat(run.err).startsWith("error: NOT_FOUND: ");
    }

    @Test
    void aRequestedDatabaseComesWithAConnectionWhosePasswordLogsIn() throws SQLException {
        List<RequestDatabaseProgress> progress = new ArrayList<>();

        Connection connection = client.requestDatabase(request("orders", AccessProfile.OWNER), progress::add);

        assertThat(progress).isNotEmpty();
        assertThat(progress.getLast().getReady()).isTrue();
        assertThat(connection.getHost()).isEqualTo("127.0.0.1");
        assertThat(connection.getPort()).isEqualTo(5432);
        assertThat(connection.getDatabase()).isEqualTo(databaseName("orders"));
        assertThat(connection.getPassword()).as("never in the progress stream").isEmpty();
        assertThat(connection.getSecretName()).isNotEmpty();

        String user = progress.getLast().getUser().getMetadata().getName();
        Connection withPassword = client.connection(NAMESPACE, user, true);
        assertThat(withPassword.getPassword()).isNotEmpty();
        assertThat(currentUser(withPassword)).isEqualTo(withPassword.getUser());
    }

    @Test
    void aCallerWhoMayRequestButNotReadSecretsGetsTheConnectionWithoutThePassword() {
        portal.allowDev(
                NAMESPACE,
                "jsdk-requester",
                List.of("databases", "databaseusers", "databasegrants"),
                List.of("create", "get", "list", "watch"));
        try (DbProvisionClient dev = DbProvisionClient.builder()
                .config(portal.anonymous().withToken(RunningPortal.DEV_TOKEN))
                .build()) {
            Connection connection = dev.requestDatabase(request("devapp", AccessProfile.READ_ONLY), progress -> {});
            assertThat(connection.getPassword()).isEmpty();

            Connection details = dev.connection(NAMESPACE, "devapp-read-only", false);
            assertThat(details.getUser()).isEqualTo(connection.getUser());
            assertThat(details.getPassword()).isEmpty();
            assertThatThrownBy(() -> dev.connection(NAMESPACE, "devapp-read-only", true))
                    .isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining("jsdk-dev");
        }
    }

    @Test
    void aRequestThatCannotFinishInTimeIsDeadlineExceeded() {
        assertThatThrownBy(() -> client.requestDatabase(
                        request("hurried", AccessProfile.READ_ONLY), progress -> {}, Duration.ofMillis(1)))
                .isInstanceOf(DeadlineExceededException.class);
    }

    @Test
    void theCliRequestsShowsProgressAndPrintsAConnectionThatLogsIn() throws SQLException {
        String name = "cli-app";
        CliOutput request = cli(
                "request",
                name,
                "--instance",
                "pg",
                "-n",
                NAMESPACE,
                "--profile",
                "read-write",
                "--database-name",
                databaseName(name),
                "--label",
                "jsdk-run=" + RUN);

        assertThat(request.code).as(request.toString()).isZero();
        assertThat(request.err.lines().toList())
                .as("one line per change")
                .isNotEmpty()
                .doesNotHaveDuplicates();
        assertThat(request.out).contains("Host:     127.0.0.1").contains("Database: " + databaseName(name));

        CliOutput connection =
                cli("connection", name + "-read-write", "-n", NAMESPACE, "--show-password", "-o", "json");
        assertThat(connection.code).as(connection.toString()).isZero();
        assertThat(connection.out).contains("\"password\"");

        Connection parsed = parseConnection(connection.out);
        assertThat(currentUser(parsed)).isEqualTo(parsed.getUser());

        CliOutput listed = cli("list", "-n", NAMESPACE, "-l", "jsdk-run=" + RUN);
        assertThat(listed.out).containsPattern(NAMESPACE + " +" + name + " +Ready +True");
    }

    @Test
    void scriptsSeeReadyAs0FailedAs6AndATimeoutAs5() {
        client.databaseInstances().create(instance("jsdk-dead", RunningPortal.freePort()));

        CliOutput ready = cli("watch", "pg", "--kind", "dbi", "-n", NAMESPACE, "--until-ready", "--for", "2m");
        assertThat(ready.code).as(ready.toString()).isZero();
        assertThat(ready.out).containsPattern(NAMESPACE + " +pg +Ready +True");

        CliOutput failed = cli("watch", "jsdk-dead", "--kind", "dbi", "-n", NAMESPACE, "--until-ready", "--for", "2m");
        assertThat(failed.code).as(failed.toString()).isEqualTo(6);
        assertThat(failed.err).startsWith("error: DatabaseInstance " + NAMESPACE + "/jsdk-dead Failed: ");

        CliOutput onDead = cli(
                "request",
                "on-dead",
                "--instance",
                "jsdk-dead",
                "-n",
                NAMESPACE,
                "--timeout",
                "5s",
                "--database-name",
                databaseName("on-dead"));
        assertThat(onDead.code).as(onDead.toString()).isEqualTo(5);
        assertThat(onDead.err)
                .contains("database on-dead: Pending")
                .contains("error: DEADLINE_EXCEEDED: ")
                .contains("go on converging");
    }

    @Test
    void theCliDryRunStoresNothingAndSaysWhatItWouldCreate() {
        CliOutput run = cli("request", "dry", "--instance", "pg", "-n", NAMESPACE, "--dry-run");

        assertThat(run.code).as(run.toString()).isZero();
        assertThat(run.out)
                .contains("Would create: Database dry, DatabaseUser dry-read-write, DatabaseGrant dry-read-write");
        assertThat(cli("describe", "dry", "-n", NAMESPACE).code).isEqualTo(3);
    }

    private record CliOutput(int code, String out, String err) {}

    private static CliOutput cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all =
                new ArrayList<>(List.of("--config", portal.kubeconfig().toString()));
        all.addAll(List.of(args));
        int code = CliMain.run(
                new Terminal(new PrintWriter(out), new PrintWriter(err), false, Map.of(), work),
                all.toArray(String[]::new));
        return new CliOutput(code, out.toString(), err.toString());
    }

    /** The CLI's -o json of a Connection: the fields a login needs. */
    private static Connection parseConnection(String json) {
        try {
            JsonNode tree = new ObjectMapper().readTree(json);
            return Connection.newBuilder()
                    .setHost(tree.path("host").asText())
                    .setPort(tree.path("port").asInt())
                    .setDatabase(tree.path("database").asText())
                    .setUser(tree.path("user").asText())
                    .setPassword(tree.path("password").asText())
                    .build();
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static String currentUser(Connection connection) throws SQLException {
        String url = "jdbc:postgresql://" + connection.getHost() + ":" + connection.getPort() + "/"
                + connection.getDatabase();
        try (var jdbc = DriverManager.getConnection(url, connection.getUser(), connection.getPassword());
                Statement statement = jdbc.createStatement();
                ResultSet result = statement.executeQuery("select current_user")) {
            result.next();
            return result.getString(1);
        }
    }

    private static void dropWhatThisRunCreated() throws SQLException {
        try (var jdbc = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "");
                Statement statement = jdbc.createStatement()) {
            List<String> databases = new ArrayList<>();
            try (ResultSet result = statement.executeQuery(
                    "select datname from pg_database where datname like 'jsdk\\_" + RUN + "\\_%'")) {
                while (result.next()) {
                    databases.add(result.getString(1));
                }
            }
            for (String database : databases) {
                statement.execute("drop database if exists \"" + database + "\" with (force)");
            }
            List<String> roles = new ArrayList<>();
            try (ResultSet result =
                    statement.executeQuery("select rolname from pg_roles where rolname like '%" + RUN + "%'")) {
                while (result.next()) {
                    roles.add(result.getString(1));
                }
            }
            for (String role : roles) {
                statement.execute("drop role if exists \"" + role + "\"");
            }
        }
    }
}
