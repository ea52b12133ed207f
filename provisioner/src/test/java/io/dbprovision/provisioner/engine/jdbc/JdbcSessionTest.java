package io.dbprovision.provisioner.engine.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.engine.v1alpha1.PlannedStatement;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.PostgresInstanceConfig;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.Step;
import io.dbprovision.provisioner.testing.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** JdbcSession and ConnectionPools against the shared PostgreSQL and MariaDB servers. */
class JdbcSessionTest {
    private static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
    private static final String MARIADB_URL = "jdbc:mysql://127.0.0.1:3306/";

    private static ConnectionPools pools;

    @BeforeAll
    static void openPools() {
        pools = new ConnectionPools();
    }

    @AfterAll
    static void closePools() {
        pools.close();
    }

    /** Sessions a test opened; each holds its connection until closed, as a call's session does. */
    private final List<JdbcSession> sessions = new ArrayList<>();

    private JdbcSession session(Instance instance, boolean validateOnly, ConnectionPools pools) {
        return session(instance, validateOnly, pools, null);
    }

    private JdbcSession session(Instance instance, boolean validateOnly, ConnectionPools pools, Instant deadline) {
        JdbcSession session = new JdbcSession(instance, validateOnly, pools, deadline);
        sessions.add(session);
        return session;
    }

    @AfterEach
    void dropTestObjects() throws SQLException {
        sessions.forEach(JdbcSession::close);
        pg("DROP ROLE IF EXISTS dbpcore_run1");
        pg("DROP ROLE IF EXISTS dbpcore_plan1");
        pg("DROP ROLE IF EXISTS dbpcore_secret1");
        maria("DROP USER IF EXISTS 'dbpcore_run1'@'%'");
        maria("DROP USER IF EXISTS 'dbpcore_plan1'@'%'");
    }

    static Instance postgres(String applicationName) {
        return Instance.newBuilder()
                .setEngine(EngineType.ENGINE_TYPE_POSTGRES)
                .setHost("127.0.0.1")
                .setPort(5432)
                .setUsername("postgres")
                .setPostgres(PostgresInstanceConfig.newBuilder().setApplicationName(applicationName))
                .build();
    }

    static Instance mariadb() {
        return Instance.newBuilder()
                .setEngine(EngineType.ENGINE_TYPE_MARIADB)
                .setHost("127.0.0.1")
                .setPort(3306)
                .setUsername("root")
                .build();
    }

    @Test
    void readsThroughJooqOnPostgresAndMariaDb() {
        JdbcSession pg = session(postgres("dbpcore_read"), false, pools);
        assertThat(pg.<String>read("", ctx -> String.valueOf(ctx.fetchValue("select current_database()"))))
                .isEqualTo("postgres");
        assertThat(pg.<String>read("", ctx -> String.valueOf(ctx.fetchValue("show standard_conforming_strings"))))
                .isEqualTo("on");
        assertThat(pg.<String>read("template1", ctx -> String.valueOf(ctx.fetchValue("select current_database()"))))
                .isEqualTo("template1");

        JdbcSession maria = session(mariadb(), false, pools);
        assertThat(maria.<String>read("", ctx -> String.valueOf(ctx.fetchValue("select current_user()"))))
                .startsWith("root@");
        assertThat(maria.<String>read("", ctx -> String.valueOf(ctx.fetchValue("select @@SESSION.sql_mode"))))
                .doesNotContain("NO_BACKSLASH_ESCAPES");
        assertThat(maria.<String>read("mysql", ctx -> String.valueOf(ctx.fetchValue("select database()"))))
                .isEqualTo("mysql");
    }

    @Test
    void runExecutesStepsAndRecordsThemInThePlan() throws SQLException {
        JdbcSession pg = session(postgres("dbpcore_run"), false, pools);
        pg.run(Step.of("create role dbpcore_run1", DSL.query("CREATE ROLE {0}", DSL.name("dbpcore_run1"))));
        pg.note("a note");
        assertThat(pgCount("SELECT count(*) FROM pg_roles WHERE rolname = 'dbpcore_run1'"))
                .isEqualTo(1);
        assertThat(pg.result().getChanged()).isTrue();
        assertThat(pg.result().getPlanList())
                .containsExactly(PlannedStatement.newBuilder()
                        .setSql("CREATE ROLE \"dbpcore_run1\"")
                        .setPurpose("create role dbpcore_run1")
                        .build());
        assertThat(pg.result().getNotesList()).containsExactly("a note");

        JdbcSession maria = session(mariadb(), false, pools);
        maria.run(Step.withSecret(
                "",
                "create user dbpcore_run1",
                secret -> DSL.query(
                        "CREATE USER {0}@{1} IDENTIFIED BY {2}",
                        DSL.name("dbpcore_run1"), DSL.inline("%"), DSL.inline(secret)),
                "back\\slash'quote"));
        assertThat(mariaCount("SELECT count(*) FROM mysql.user WHERE user = 'dbpcore_run1'"))
                .isEqualTo(1);
        assertThat(maria.result().getPlan(0).getSql())
                .isEqualTo("CREATE USER `dbpcore_run1`@'%' IDENTIFIED BY '<redacted>'");
        try (Connection login = DriverManager.getConnection(MARIADB_URL, "dbpcore_run1", "back\\slash'quote")) {
            assertThat(login.isValid(2)).isTrue();
        }
    }

    @Test
    void validateOnlyRecordsThePlanAndChangesNothing() throws SQLException {
        JdbcSession pg = session(postgres("dbpcore_plan"), true, pools);
        pg.run(Step.withSecret(
                "",
                "create role dbpcore_plan1",
                secret ->
                        DSL.query("CREATE ROLE {0} LOGIN PASSWORD {1}", DSL.name("dbpcore_plan1"), DSL.inline(secret)),
                "s3cret"));
        int count = pg.runOnOneConnection(
                "", List.of(Step.of("set role", DSL.query("SET ROLE {0}", DSL.name("dbpcore_plan1")))), false);
        assertThat(count).isEqualTo(1);
        assertThat(pgCount("SELECT count(*) FROM pg_roles WHERE rolname = 'dbpcore_plan1'"))
                .isZero();
        assertThat(pg.result().getChanged()).isTrue();
        assertThat(pg.result().getPlanList())
                .extracting(PlannedStatement::getSql)
                .containsExactly(
                        "CREATE ROLE \"dbpcore_plan1\" LOGIN PASSWORD '<redacted>'", "SET ROLE \"dbpcore_plan1\"");
        assertThat(pg.result().toString()).doesNotContain("s3cret");

        JdbcSession maria = session(mariadb(), true, pools);
        maria.run(Step.of(
                "create user dbpcore_plan1",
                DSL.query("CREATE USER {0}@{1}", DSL.name("dbpcore_plan1"), DSL.inline("%"))));
        assertThat(mariaCount("SELECT count(*) FROM mysql.user WHERE user = 'dbpcore_plan1'"))
                .isZero();
        assertThat(maria.result().getPlan(0).getSql()).isEqualTo("CREATE USER `dbpcore_plan1`@'%'");
    }

    @Test
    void aFailingStepWithASecretReportsNoSecret() throws SQLException {
        String secret = "dbpcore-Secret-4711";
        JdbcSession pg = session(postgres("dbpcore_secret"), false, pools);
        // PostgreSQL quotes a value it cannot parse back: here the secret as a timestamp.
        Step pgStep = Step.withSecret(
                "",
                "create role dbpcore_secret1",
                s -> DSL.query(
                        "CREATE ROLE {0} LOGIN PASSWORD {1} VALID UNTIL {1}",
                        DSL.name("dbpcore_secret1"), DSL.inline(s)),
                secret);
        assertThatThrownBy(() -> pg.run(pgStep)).isInstanceOfSatisfying(EngineException.EngineRefused.class, e -> {
            assertThat(e.sqlState()).isEqualTo("22007");
            assertThat(e.getMessage())
                    .isEqualTo("create role dbpcore_secret1: the server refused the statement (SQLSTATE"
                            + " 22007, code 0)");
            assertThat(e.getCause()).isNull();
        });
        assertThat(pgCount("SELECT count(*) FROM pg_roles WHERE rolname = 'dbpcore_secret1'"))
                .isZero();
        assertThat(pg.result().getPlanList()).isEmpty();

        JdbcSession maria = session(mariadb(), false, pools);
        // MariaDB quotes the text after a syntax error.
        Step mariaStep = Step.withSecret("", "select", s -> DSL.query("SELECT 1 FROM {0}", DSL.inline(s)), secret);
        assertThatThrownBy(() -> maria.run(mariaStep))
                .isInstanceOfSatisfying(EngineException.EngineRefused.class, e -> {
                    assertThat(e.sqlState()).isEqualTo("42000");
                    assertThat(e.vendorCode()).isEqualTo(1064);
                    assertThat(e.getMessage()).doesNotContain(secret);
                    assertThat(e.getCause()).isNull();
                });
        // Without a secret the server's own message comes through.
        assertThatThrownBy(() -> maria.run(Step.of("select", DSL.query("SELECT 1 FROM {0}", DSL.inline("visible")))))
                .isInstanceOf(EngineException.EngineRefused.class)
                .hasMessageContaining("visible");
    }

    @Test
    void anUnreachableInstanceFailsFastAndThenAtOnceWithinTheWindow() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        for (Instance base : List.of(postgres("dbpcore_down"), mariadb())) {
            Instance down = base.toBuilder().setPort(closedPort).build();
            long start = System.nanoTime();
            JdbcSession first = session(down, false, pools);
            assertThatThrownBy(() -> first.read("", ctx -> ctx.fetchValue("select 1")))
                    .isInstanceOfSatisfying(EngineException.InstanceUnavailable.class, e -> {
                        assertThat(e.host()).isEqualTo("127.0.0.1");
                        assertThat(e.port()).isEqualTo(closedPort);
                        assertThat(e.getMessage()).startsWith("cannot connect to 127.0.0.1:" + closedPort + ": ");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));

            long again = System.nanoTime();
            JdbcSession second = session(down, false, pools);
            assertThatThrownBy(() -> second.run(Step.of("x", DSL.query("select 1"))))
                    .isInstanceOf(EngineException.InstanceUnavailable.class);
            assertThat(Duration.ofNanos(System.nanoTime() - again)).isLessThan(Duration.ofMillis(200));
        }
    }

    @Test
    void aRefusedAdminLoginIsInstanceUnavailableWithoutThePassword() {
        Instance wrong =
                mariadb().toBuilder().setPassword("dbpcore-wrong-password").build();
        assertThatThrownBy(() -> session(wrong, false, pools).read("", ctx -> ctx.fetchValue("select 1")))
                .isInstanceOf(EngineException.InstanceUnavailable.class)
                .hasMessageContaining("admin login refused")
                .hasMessageNotContaining("dbpcore-wrong-password");
    }

    @Test
    void aGrantToAMissingMariaDbUserIsARefusalNotAnUnavailableInstance() {
        // MariaDB answers 1133 with SQLSTATE 28000 (invalid authorization) on the admin's logged-in session: the
        // user the statement names is missing, the instance is fine.
        JdbcSession maria = session(mariadb(), false, pools);
        assertThatThrownBy(() -> maria.run(Step.of(
                        "grant to dbpcore_missing1",
                        DSL.query(
                                "GRANT SELECT ON mysql.* TO {0}@{1}", DSL.name("dbpcore_missing1"), DSL.inline("%")))))
                .isInstanceOfSatisfying(EngineException.EngineRefused.class, e -> {
                    assertThat(e.sqlState()).isEqualTo("28000");
                    assertThat(e.vendorCode()).isEqualTo(1133);
                    assertThat(e.object()).isEqualTo("grant to dbpcore_missing1");
                    assertThat(e.getMessage()).doesNotContain("admin login refused");
                });
        // The session and the instance stay usable: nothing was remembered as a connect failure.
        assertThat(maria.<Integer>read("", ctx -> ((Number) ctx.fetchValue("select 3")).intValue()))
                .isEqualTo(3);
    }

    @Test
    void theDeadlineCancelsAPostgresStatementOnTheServer() throws Exception {
        JdbcSession pg = session(
                postgres("dbpcore_deadline"), false, pools, Instant.now().plusSeconds(2));
        long start = System.nanoTime();
        assertThatThrownBy(() -> pg.run(Step.of("sleep", DSL.query("SELECT pg_sleep(30) AS dbpcore_sleep"))))
                .isInstanceOfSatisfying(
                        EngineException.EngineRefused.class,
                        e -> assertThat(e.sqlState()).isEqualTo("57014"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        Await.until(
                Duration.ofSeconds(10), "the sleep to end on PostgreSQL", () -> pgSleeping("dbpcore_deadline") == 0);
    }

    @Test
    void cancelStopsAPostgresStatementOnTheServer() throws Exception {
        JdbcSession pg = session(postgres("dbpcore_cancel"), false, pools);
        CompletableFuture<Void> sleep = CompletableFuture.runAsync(
                () -> pg.run(Step.of("sleep", DSL.query("SELECT pg_sleep(30) AS dbpcore_sleep"))));
        Await.until(Duration.ofSeconds(10), "the sleep to start", () -> pgSleeping("dbpcore_cancel") == 1);
        pg.cancel();
        Await.until(Duration.ofSeconds(10), "the sleep to end on PostgreSQL", () -> pgSleeping("dbpcore_cancel") == 0);
        assertThat(sleep).failsWithin(Duration.ofSeconds(5));
        assertThatThrownBy(() -> pg.read("", ctx -> ctx.fetchValue("select 1")))
                .isInstanceOf(EngineException.EngineRefused.class);
    }

    @Test
    void theDeadlineCancelsAMariaDbStatementOnTheServer() throws Exception {
        JdbcSession maria = session(mariadb(), false, pools, Instant.now().plusSeconds(2));
        long start = System.nanoTime();
        assertThatThrownBy(() -> maria.run(Step.of("sleep", DSL.query("SELECT SLEEP(30) AS dbpcore_sleep"))))
                .isInstanceOf(EngineException.EngineRefused.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        Await.until(Duration.ofSeconds(10), "the sleep to end on MariaDB", () -> mariaSleeping() == 0);
    }

    /**
     * Every connection of a pool held by other calls: the next call's wait runs out as ConnectionsBusy, saying how
     * many connections and how long it waited, not as InstanceUnavailable (the server is fine), and it is not
     * remembered as a connect failure: a call once a connection is free gets one at once.
     */
    @Test
    void aWaitForAConnectionOfAFullPoolIsConnectionsBusyNotAnUnavailableInstance() {
        Instance instance = postgres("dbpcore_busy");
        try (ConnectionPools small = new ConnectionPools()) {
            List<ConnectionPools.Lease> held = new ArrayList<>();
            try {
                for (int i = 0; i < ConnectionPools.MAXIMUM_POOL_SIZE; i++) {
                    held.add(small.borrow(instance, "", null));
                }
                assertThatThrownBy(
                                () -> small.borrow(instance, "", Instant.now().plusMillis(700)))
                        .isInstanceOfSatisfying(EngineException.ConnectionsBusy.class, e -> {
                            assertThat(e.host()).isEqualTo("127.0.0.1");
                            assertThat(e.port()).isEqualTo(5432);
                            assertThat(e.connections()).isEqualTo(ConnectionPools.MAXIMUM_POOL_SIZE);
                            assertThat(e.waitedMillis()).isPositive();
                            assertThat(e.getMessage())
                                    .startsWith("all 4 connections to 127.0.0.1:5432 are in use by other calls;"
                                            + " waited ")
                                    .doesNotContain("cannot connect");
                        });

                held.removeFirst().close();
                try (ConnectionPools.Lease freed =
                        small.borrow(instance, "", Instant.now().plusSeconds(5))) {
                    assertThat(freed.connection()).isNotNull();
                }
            } finally {
                held.forEach(ConnectionPools.Lease::close);
            }
        }
    }

    @Test
    void idlePoolsAreClosed() {
        try (ConnectionPools shortLived = new ConnectionPools(Duration.ofMillis(200), Duration.ofSeconds(3))) {
            try (JdbcSession first = session(postgres("dbpcore_idle"), false, shortLived)) {
                first.read("", ctx -> ctx.fetchValue("select 1"));
            }
            assertThat(shortLived.size()).isEqualTo(1);
            Await.until(Duration.ofSeconds(10), "the idle pool to close", () -> shortLived.size() == 0);
            assertThat(session(postgres("dbpcore_idle"), false, shortLived)
                            .<Integer>read("", ctx -> ((Number) ctx.fetchValue("select 2")).intValue()))
                    .isEqualTo(2);
        }
    }

    @Test
    void aPooledConnectionTheServerEndedIsReplacedOnItsNextUse() throws Exception {
        Instance instance = postgres("dbpcore_ended");
        try (JdbcSession first = session(instance, false, pools)) {
            first.read("", ctx -> ctx.fetchValue("select 1"));
        }
        pg("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dbpcore_ended'");
        Await.until(Duration.ofSeconds(10), "the session to end", () -> pgSessions("dbpcore_ended") == 0);

        JdbcSession again = session(instance, false, pools);
        again.run(Step.of("select", DSL.query("select 1")));
        assertThat(again.<Integer>read("", ctx -> ((Number) ctx.fetchValue("select 2")).intValue()))
                .isEqualTo(2);
        assertThat(again.result().getPlanCount()).isEqualTo(1);
    }

    @Test
    void aDatabaseUsedOnceGetsAConnectionOfItsOwnAndASecondUseAPool() throws Exception {
        try (ConnectionPools fresh = new ConnectionPools()) {
            Instance instance = postgres("dbpcore_oneoff");
            try (JdbcSession first = session(instance, false, fresh)) {
                assertThat(first.<String>read(
                                "template1", ctx -> String.valueOf(ctx.fetchValue("select current_database()"))))
                        .isEqualTo("template1");
                assertThat(fresh.size()).as("no pool for a database used once").isZero();
            }
            Await.until(
                    Duration.ofSeconds(10), "the one-off connection to close", () -> pgSessions("dbpcore_oneoff") == 0);

            try (JdbcSession second = session(instance, false, fresh)) {
                second.read("template1", ctx -> ctx.fetchValue("select 1"));
            }
            assertThat(fresh.size())
                    .as("a pool once the database is used again")
                    .isEqualTo(1);
            // The admin database always has a pool.
            try (JdbcSession admin = session(instance, false, fresh)) {
                admin.read("", ctx -> ctx.fetchValue("select 1"));
            }
            assertThat(fresh.size()).isEqualTo(2);
        }
    }

    @Test
    void oneServerKeepsAtMostTheCappedNumberOfPoolsOpen() {
        try (ConnectionPools capped = new ConnectionPools()) {
            Instance instance = postgres("dbpcore_cap");
            // Twelve pools on one server: distinct application names give distinct pool keys, as databases do.
            for (int i = 0; i < 12; i++) {
                Instance distinct = instance.toBuilder()
                        .setPostgres(instance.getPostgres().toBuilder().setApplicationName("dbpcore_cap" + i))
                        .build();
                try (JdbcSession session = session(distinct, false, capped)) {
                    session.read("", ctx -> ctx.fetchValue("select 1"));
                }
            }
            assertThat(capped.size()).isEqualTo(ConnectionPools.MAXIMUM_POOLS_PER_SERVER);
        }
    }

    private static int pgSessions(String applicationName) {
        try (Connection connection = DriverManager.getConnection(PG_URL, "postgres", "");
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            statement.setString(1, applicationName);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int pgSleeping(String applicationName) {
        try (Connection connection = DriverManager.getConnection(PG_URL, "postgres", "");
                PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE application_name = ? AND query LIKE 'SELECT pg_sleep(30)%' AND state = 'active'")) {
            statement.setString(1, applicationName);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int mariaSleeping() {
        try {
            return mariaCount("SELECT count(*) FROM information_schema.processlist"
                    + " WHERE info LIKE 'SELECT SLEEP(30) AS dbpcore_sleep%'");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void pg(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(PG_URL, "postgres", "")) {
            connection.createStatement().execute(sql);
        }
    }

    private static int pgCount(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(PG_URL, "postgres", "");
                ResultSet rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static void maria(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(MARIADB_URL, "root", "")) {
            connection.createStatement().execute(sql);
        }
    }

    private static int mariaCount(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(MARIADB_URL, "root", "");
                ResultSet rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
