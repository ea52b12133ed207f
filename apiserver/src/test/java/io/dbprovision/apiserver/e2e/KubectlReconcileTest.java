package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.server.StandaloneServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's walk-through, end to end, with the real server (reconcilers and the provisioner inside it), real
 * kubectl, PostgreSQL and MariaDB: the examples of {@code docs/examples} apply as written, every object turns Ready
 * ({@code kubectl wait} on each kubectl version of the run), the credentials in the Secrets log in, granted
 * statements succeed and others are refused, a changed grant is followed, a user dropped behind our back is found
 * and put back, and deletion leaves the engines as each policy says.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlReconcileTest {
    @TempDir
    static Path work;

    private static StandaloneServer server;

    private static final Path EXAMPLES =
            Path.of("..", "docs", "examples").toAbsolutePath().normalize();
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final String MARIADB = "jdbc:mysql://127.0.0.1:3306/";
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/";

    @BeforeAll
    static void start() throws SQLException {
        dropEngineObjects();
        server = StandaloneServer.start(work.resolve("data"), "127.0.0.1", 0, false);
    }

    @AfterAll
    static void stop() throws SQLException {
        if (server != null) {
            server.close();
        }
        dropEngineObjects();
    }

    private static Kubectl kubectl() {
        return Kubectl.of(KubectlVersions.list().get(KubectlVersions.list().size() - 1), server.kubeconfig(), work);
    }

    private static Kubectl.Result slow(Kubectl kubectl, String... args) {
        return kubectl.run(List.of(args), "", Map.of(), WAIT.plusSeconds(30));
    }

    @Test
    @Order(1)
    void theExamplesApplyAndEveryObjectTurnsReadyForEveryKubectl() {
        Kubectl kubectl = kubectl();
        kubectl.run("apply", "-f", EXAMPLES.resolve("namespace.yaml").toString())
                .ok();
        kubectl.run("apply", "-f", EXAMPLES.resolve("postgres").toString()).ok();
        kubectl.run("apply", "-f", EXAMPLES.resolve("mariadb").toString()).ok();
        for (String version : KubectlVersions.list()) {
            Kubectl each = Kubectl.of(version, server.kubeconfig(), work);
            slow(
                            each,
                            "wait",
                            "--for=condition=Ready",
                            "--timeout=" + WAIT.toSeconds() + "s",
                            "-n",
                            "demo",
                            "databaseinstance/pg",
                            "database/orders",
                            "databaseuser/orders-app",
                            "databaserole/orders-readonly",
                            "databasegrant/orders-app-rw",
                            "databaseinstance/mariadb",
                            "database/shop",
                            "databaseuser/shop-app",
                            "databaserole/shop-readonly",
                            "databasegrant/shop-app-rw")
                    .ok();
        }
        String table = kubectl.run("get", "databases", "-n", "demo").ok().stdout();
        assertThat(table).contains("orders").contains("Ready");
        String described = kubectl.run("describe", "databaseinstance", "pg", "-n", "demo")
                .ok()
                .stdout();
        assertThat(described).contains("Connected");
    }

    @Test
    @Order(2)
    void theSecretsCredentialsLogInAndTheGrantsHold() throws SQLException {
        String password = secretValue("shop-app-credentials", "password");
        assertThat(secretValue("shop-app-credentials", "username")).isEqualTo("demo_shop_app");
        try (Connection app = DriverManager.getConnection(MARIADB + "demo_shop", "demo_shop_app", password);
                Statement sql = app.createStatement()) {
            sql.execute("CREATE TABLE items (id INT PRIMARY KEY)");
            sql.execute("INSERT INTO items VALUES (1)");
            assertThatThrownBy(() -> sql.execute("CREATE DATABASE demo_shop_other"))
                    .hasMessageContaining("denied");
            assertThatThrownBy(() -> sql.execute("SELECT * FROM mysql.user")).hasMessageContaining("denied");
        }
        assertThatThrownBy(() -> DriverManager.getConnection(MARIADB, "demo_shop_app", password + "x"))
                .isInstanceOf(SQLException.class);
        // The template's DATABASE_URL names the user and the database.
        assertThat(secretValue("orders-app-credentials", "DATABASE_URL"))
                .startsWith("postgresql://demo_orders_app:")
                .endsWith("@127.0.0.1:5432/demo_orders");
        // The credentials subresource answers the same password, for a caller allowed to read it.
        String credentials = kubectl()
                .run(
                        "get",
                        "--raw",
                        "/apis/dbops.dbprovision.io/v1alpha1/namespaces/demo/databaseusers/shop-app/credentials")
                .ok()
                .stdout();
        assertThat(credentials).contains("\"username\":\"demo_shop_app\"").contains("\"database\":\"demo_shop\"");
        assertThat(credentials).contains("\"password\":\"" + password + "\"");
    }

    @Test
    @Order(3)
    void aChangedGrantIsFollowedByTheEngine() throws SQLException {
        kubectl()
                .run(
                        "patch",
                        "databasegrant",
                        "shop-app-rw",
                        "-n",
                        "demo",
                        "--type=merge",
                        "-p",
                        "{\"spec\":{\"mysql\":{\"grants\":[{\"level\":\"database\",\"database\":\"demo_shop\","
                                + "\"privileges\":[\"SELECT\"]}]}}}")
                .ok();
        String password = secretValue("shop-app-credentials", "password");
        Await.until("INSERT is revoked", () -> {
            try (Connection app = DriverManager.getConnection(MARIADB + "demo_shop", "demo_shop_app", password);
                    Statement sql = app.createStatement()) {
                sql.execute("INSERT INTO items VALUES (2)");
                sql.execute("DELETE FROM items WHERE id = 2");
                return false;
            } catch (SQLException denied) {
                return denied.getMessage().contains("denied");
            }
        });
        try (Connection app = DriverManager.getConnection(MARIADB + "demo_shop", "demo_shop_app", password);
                Statement sql = app.createStatement()) {
            sql.executeQuery("SELECT * FROM items").close();
        }
    }

    @Test
    @Order(4)
    void aUserDroppedBehindOurBackIsDetectedAndInCorrectModeRestored() throws SQLException {
        Kubectl kubectl = kubectl();
        // Detect: the PostgreSQL user.
        kubectl.run(
                        "patch",
                        "databaseuser",
                        "orders-app",
                        "-n",
                        "demo",
                        "--type=merge",
                        "-p",
                        "{\"spec\":{\"driftPolicy\":{\"mode\":\"detect\",\"interval\":\"10s\"}}}")
                .ok();
        slow(
                        kubectl,
                        "wait",
                        "--for=jsonpath={.status.observedGeneration}=2",
                        "--timeout=60s",
                        "-n",
                        "demo",
                        "databaseuser/orders-app")
                .ok();
        try (Connection admin = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "");
                Statement sql = admin.createStatement()) {
            sql.execute("ALTER ROLE demo_orders_app CONNECTION LIMIT 5"); // the spec says 20
        }
        slow(
                        kubectl,
                        "wait",
                        "--for=jsonpath={.status.drift.detected}=true",
                        "--timeout=60s",
                        "-n",
                        "demo",
                        "databaseuser/orders-app")
                .ok();
        assertThat(kubectl.run("describe", "databaseuser", "orders-app", "-n", "demo")
                        .ok()
                        .stdout())
                .contains("DriftDetected");

        // Correct: the MariaDB user comes back after DROP USER.
        kubectl.run(
                        "patch",
                        "databaseuser",
                        "shop-app",
                        "-n",
                        "demo",
                        "--type=merge",
                        "-p",
                        "{\"spec\":{\"driftPolicy\":{\"mode\":\"correct\",\"interval\":\"10s\"}}}")
                .ok();
        slow(
                        kubectl,
                        "wait",
                        "--for=jsonpath={.status.observedGeneration}=2",
                        "--timeout=60s",
                        "-n",
                        "demo",
                        "databaseuser/shop-app")
                .ok();
        try (Connection admin = DriverManager.getConnection(MARIADB, "root", "");
                Statement sql = admin.createStatement()) {
            sql.execute("DROP USER 'demo_shop_app'@'%'");
        }
        String password = secretValue("shop-app-credentials", "password");
        Await.until("the user is restored", Duration.ofSeconds(60), () -> {
            try (Connection app = DriverManager.getConnection(MARIADB, "demo_shop_app", password)) {
                return true;
            } catch (SQLException stillGone) {
                return false;
            }
        });
    }

    @Test
    @Order(5)
    void deletionFollowsEachPolicy() throws SQLException {
        Kubectl kubectl = kubectl();
        // Retain on the PostgreSQL database: the object goes, the database stays.
        kubectl.run(
                        "patch",
                        "database",
                        "orders",
                        "-n",
                        "demo",
                        "--type=merge",
                        "-p",
                        "{\"spec\":{\"deletionPolicy\":\"Retain\"}}")
                .ok();
        slow(
                        kubectl,
                        "delete",
                        "-n",
                        "demo",
                        "databasegrant/orders-app-rw",
                        "databaserole/orders-readonly",
                        "--timeout=60s")
                .ok();
        slow(kubectl, "delete", "-n", "demo", "database/orders", "--timeout=60s")
                .ok();
        assertThat(postgresDatabaseExists("demo_orders")).isTrue();
        // Delete (the default) on MariaDB: grant, user and database go from the engine too.
        slow(
                        kubectl,
                        "delete",
                        "-n",
                        "demo",
                        "databasegrant/shop-app-rw",
                        "databaserole/shop-readonly",
                        "databaseuser/shop-app",
                        "database/shop",
                        "--timeout=60s")
                .ok();
        try (Connection admin = DriverManager.getConnection(MARIADB, "root", "");
                Statement sql = admin.createStatement()) {
            assertThat(sql.executeQuery("SHOW DATABASES LIKE 'demo_shop'").next())
                    .isFalse();
            assertThat(sql.executeQuery("SELECT 1 FROM mysql.user WHERE user = 'demo_shop_app'")
                            .next())
                    .isFalse();
        }
        assertThat(kubectl.run("get", "secret", "shop-app-credentials", "-n", "demo")
                        .exitCode())
                .isNotZero();
    }

    @Test
    @Order(6)
    void deletingAnExampleDirectoryAtOnceDropsEverythingAndLeavesNoObject() throws SQLException {
        Kubectl kubectl = kubectl();
        kubectl.run("apply", "-f", EXAMPLES.resolve("postgres").toString()).ok();
        kubectl.run("apply", "-f", EXAMPLES.resolve("mariadb").toString()).ok();
        slow(
                        kubectl,
                        "wait",
                        "--for=condition=Ready",
                        "--timeout=" + WAIT.toSeconds() + "s",
                        "-n",
                        "demo",
                        "database/orders",
                        "databaseuser/orders-app",
                        "databaserole/orders-readonly",
                        "databasegrant/orders-app-rw",
                        "database/shop",
                        "databaseuser/shop-app",
                        "databaserole/shop-readonly",
                        "databasegrant/shop-app-rw")
                .ok();
        assertThat(postgresDatabaseExists("demo_orders")).isTrue();

        // The README's one-command clean-up: the admin Secret goes in the same command as what needs it.
        slow(kubectl, "delete", "-f", EXAMPLES.resolve("postgres").toString(), "--timeout=120s")
                .ok();
        slow(kubectl, "delete", "-f", EXAMPLES.resolve("mariadb").toString(), "--timeout=120s")
                .ok();

        assertThat(kubectl.run("get", "dbi,db,dbu,dbr,dbg,secrets", "-n", "demo", "-o", "name")
                        .ok()
                        .stdout()
                        .strip())
                .isEmpty();
        assertThat(postgresDatabaseExists("demo_orders")).isFalse();
        try (Connection admin = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "");
                Statement sql = admin.createStatement()) {
            assertThat(sql.executeQuery("SELECT 1 FROM pg_roles WHERE rolname IN ('demo_orders_app',"
                                    + " 'demo_orders_readonly')")
                            .next())
                    .isFalse();
        }
        try (Connection admin = DriverManager.getConnection(MARIADB, "root", "");
                Statement sql = admin.createStatement()) {
            assertThat(sql.executeQuery("SHOW DATABASES LIKE 'demo_shop'").next())
                    .isFalse();
            assertThat(sql.executeQuery("SELECT 1 FROM mysql.user WHERE user IN ('demo_shop_app',"
                                    + " 'demo_shop_readonly')")
                            .next())
                    .isFalse();
        }
    }

    private static String secretValue(String secret, String key) {
        String encoded = kubectl()
                .run("get", "secret", secret, "-n", "demo", "-o", "jsonpath={.data." + key.replace(".", "\\.") + "}")
                .ok()
                .stdout();
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }

    private static boolean postgresDatabaseExists(String name) throws SQLException {
        try (Connection admin = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "");
                var statement = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            statement.setString(1, name);
            return statement.executeQuery().next();
        }
    }

    private static void dropEngineObjects() throws SQLException {
        try (Connection admin = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "");
                Statement sql = admin.createStatement()) {
            sql.execute("DROP DATABASE IF EXISTS demo_orders WITH (FORCE)");
            for (String role : new String[] {"demo_orders_app", "demo_orders_readonly", "demo_auditors"}) {
                sql.execute("DROP ROLE IF EXISTS " + role);
            }
        }
        try (Connection admin = DriverManager.getConnection(MARIADB, "root", "");
                Statement sql = admin.createStatement()) {
            sql.execute("DROP DATABASE IF EXISTS demo_shop");
            sql.execute("DROP USER IF EXISTS 'demo_shop_app'@'%'");
            sql.execute("DROP ROLE IF EXISTS demo_shop_readonly");
        }
    }
}
