package io.dbprovision.apiserver.reconcile;

import static io.dbprovision.apiserver.reconcile.UserTestSupport.assertNoLeak;
import static io.dbprovision.apiserver.reconcile.UserTestSupport.condition;
import static io.dbprovision.apiserver.reconcile.UserTestSupport.conditionOf;
import static io.dbprovision.apiserver.reconcile.UserTestSupport.secret;
import static io.dbprovision.apiserver.reconcile.UserTestSupport.secretYaml;
import static io.dbprovision.apiserver.reconcile.UserTestSupport.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.proto.k8s.core.v1.Secret;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DatabaseUsers on the local MariaDB, which checks passwords: the Secret's credential logs in, a replaced one no
 * longer does; a Secret written before a crash keeps its password; a deleted Secret is regenerated; drift of the
 * account and its password is detected and corrected; deletion drops or keeps the account and waits while it is the
 * definer of a view; rotation is reported as unsupported on this engine.
 */
class UserReconcileMariaDbTest {
    private static final String NS = "team-m";
    private static final String JDBC = "jdbc:mysql://127.0.0.1:3306/";

    @TempDir
    Path dir;

    private final String prefix =
            "dbpru_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final String username = prefix + "_app";
    private final String secretName = username.replace('_', '-') + "-credentials";
    private final SettableClock clock = new SettableClock(Instant.parse("2030-01-01T12:00:00Z"));
    private final List<String> passwords = new ArrayList<>();
    private ReconcileHarness harness;
    private LogCapture logs;

    static String mariadbInstance(String namespace) {
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: my-admin, namespace: %1$s}
                stringData: {username: root, password: ""}
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata: {name: maria, namespace: %1$s}
                spec:
                  engine: mariadb
                  connection: {host: 127.0.0.1, port: 3306, secretRef: {name: my-admin}}
                  healthCheck: {intervalSeconds: 5}
                """.formatted(namespace);
    }

    @BeforeEach
    void start() throws Exception {
        logs = new LogCapture();
        harness = new ReconcileHarness(dir, DbopsControllers.Settings.DEFAULTS, clock);
        harness.apply(mariadbInstance(NS));
        harness.awaitReady("databaseinstances", NS, "maria");
    }

    @AfterEach
    void stop() throws Exception {
        try {
            harness.close();
        } finally {
            logs.close();
            cleanUp(prefix);
        }
    }

    private String user(String name, String extraSpec) {
        return user(name, extraSpec, "");
    }

    private String user(String name, String extraSpec, String annotations) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseUser
                metadata:
                  name: %s
                  namespace: %s
                  annotations: {%s}
                spec:
                  instanceRef: {name: maria}
                  username: %s
                %s""".formatted(name, NS, annotations, username, extraSpec.indent(2));
    }

    private DatabaseUser awaitReady(String name) {
        return harness.awaitReady("databaseusers", NS, name);
    }

    private String password() {
        String password = value(secret(harness, NS, secretName), "password");
        passwords.add(password);
        return password;
    }

    @Test
    void theSecretsCredentialLogsInAndNoOtherDoes() throws Exception {
        harness.apply(user("app", ""));
        DatabaseUser ready = awaitReady("app");
        Secret secret = secret(harness, NS, secretName);
        assertThat(secret.getDataMap()).containsOnlyKeys("username", "password", "host", "port");
        assertThat(value(secret, "port")).isEqualTo("3306");
        String password = password();
        assertThat(logsIn(username, password)).isTrue();
        assertThat(logsIn(username, password + "x")).isFalse();
        assertThat(ready.getStatus().getUser().getUsername()).isEqualTo(username);
        assertNoLeak(harness, logs, passwords, List.of(ready));
    }

    @Test
    void aCrashBetweenTheSecretAndTheEngineLosesNothing() throws Exception {
        String known = "Known-password-1!";
        passwords.add(known);
        harness.apply(secretYaml(NS, secretName, "app", Map.of("username", username, "password", known)));
        harness.apply(user("app", ""));
        DatabaseUser ready = awaitReady("app");
        assertThat(value(secret(harness, NS, secretName), "password")).isEqualTo(known);
        assertThat(logsIn(username, known)).isTrue();
        assertNoLeak(harness, logs, passwords, List.of(ready));
    }

    @Test
    void aDeletedSecretIsRegeneratedAndOnlyTheNewPasswordLogsIn() throws Exception {
        harness.apply(user("app", ""));
        awaitReady("app");
        String old = password();
        assertThat(logsIn(username, old)).isTrue();

        harness.delete("secrets", NS, secretName);
        Secret regenerated = harness.await("secrets", NS, secretName, (Secret s) -> !old.equals(value(s, "password")));
        String fresh = value(regenerated, "password");
        passwords.add(fresh);
        Await.until("the new password logs in", () -> logsIn(username, fresh));
        assertThat(logsIn(username, old)).isFalse();
        assertNoLeak(harness, logs, passwords, List.of(awaitReady("app")));
    }

    @Test
    void anAccountDroppedOrChangedOutOfBandIsDetectedThenCorrected() throws Exception {
        harness.apply(user("app", "driftPolicy: {mode: detect, interval: 10s}"));
        awaitReady("app");
        String password = password();

        execute("DROP USER " + account(username));
        clock.advance(Duration.ofMinutes(1));
        harness.nudge("databaseusers", NS, "app");
        DatabaseUser detected = harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) -> u.getStatus().getDrift().getDetected());
        assertThat(detected.getStatus().getDrift().getDiffsList())
                .anySatisfy(d -> assertThat(d.getField()).isEqualTo("user"));
        assertThat(logsIn(username, password)).isFalse();

        harness.apply(user("app", "driftPolicy: {mode: correct, interval: 10s}"));
        harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) ->
                        UserTestSupport.caughtUp(u) && !u.getStatus().getDrift().getDetected());
        assertThat(logsIn(username, password)).isTrue();

        execute("SET PASSWORD FOR " + account(username) + " = PASSWORD('set-by-hand')");
        assertThat(logsIn(username, password)).isFalse();
        clock.advance(Duration.ofMinutes(1));
        harness.nudge("databaseusers", NS, "app");
        Await.until("the Secret's password logs in again", () -> logsIn(username, password));
        assertThat(logsIn(username, "set-by-hand")).isFalse();
        Await.until(
                "DriftCorrected is reported",
                () -> harness.events.stream()
                        .anyMatch(e -> e.contains("Normal DriftCorrected corrected drift in password")));
        assertNoLeak(harness, logs, passwords, List.of(awaitReady("app")));
    }

    @Test
    void deletionDropsTheAccountAndTheSecretAndRetainKeepsThem() throws Exception {
        harness.apply(user("app", ""));
        awaitReady("app");
        password();
        harness.delete("databaseusers", NS, "app");
        Await.until("the DatabaseUser goes", () -> !harness.exists("databaseusers", NS, "app"));
        assertThat(accountExists(username)).isFalse();
        assertThat(harness.exists("secrets", NS, secretName)).isFalse();

        harness.apply(user("kept", "", "dbops.dbprovision.io/deletion-policy: Retain"));
        awaitReady("kept");
        String kept = password();
        harness.delete("databaseusers", NS, "kept");
        Await.until("the DatabaseUser goes", () -> !harness.exists("databaseusers", NS, "kept"));
        assertThat(logsIn(username, kept)).isTrue();
        assertThat(value(secret(harness, NS, secretName), "password")).isEqualTo(kept);
    }

    @Test
    void aViewTheAccountDefinesBlocksItsDeletionUntilItIsGone() throws Exception {
        harness.apply(user("app", ""));
        awaitReady("app");
        password();
        String database = prefix + "_db";
        execute("CREATE DATABASE " + quoted(database));
        execute("CREATE DEFINER = " + account(username) + " VIEW " + quoted(database) + ".v AS SELECT 1 AS one");

        harness.delete("databaseusers", NS, "app");
        DatabaseUser blocked = harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) -> u.getStatus().getOwnershipBlock().getBlocked());
        assertThat(blocked.getStatus().getOwnershipBlock().getOwnedObjectsList())
                .anySatisfy(o -> assertThat(o.getName()).isEqualTo("v"));
        assertThat(blocked.getStatus().getOwnershipBlock().getResolution()).contains("DEFINER");
        assertThat(condition(blocked, "Ready", "OwnershipBlocks")).isTrue();
        assertThat(accountExists(username)).isTrue();

        execute("DROP VIEW " + quoted(database) + ".v");
        harness.nudge("databaseusers", NS, "app");
        Await.until("the DatabaseUser goes", () -> !harness.exists("databaseusers", NS, "app"));
        assertThat(accountExists(username)).isFalse();
    }

    @Test
    void rotationIsReportedAsUnsupportedOnThisEngine() throws Exception {
        harness.apply(user("app", """
                passwordSecret:
                  secretTemplate:
                    data: {DATABASE_URL: "{{ .DatabaseURL }}"}
                passwordRotation: {enabled: true, schedule: "* * * * *"}
                """));
        DatabaseUser user = harness.await(
                "databaseusers", NS, "app", (DatabaseUser u) -> condition(u, "PasswordRotated", "UnsupportedEngine"));
        assertThat(conditionOf(user, "Ready").getStatus().name()).endsWith("TRUE");
        Secret secret = secret(harness, NS, secretName);
        String password = password();
        assertThat(value(secret, "DATABASE_URL"))
                .startsWith("mysql://" + username + ":")
                .endsWith("@127.0.0.1:3306/mysql");
        assertThat(value(secret, "username")).isEqualTo(username);
        clock.advance(Duration.ofMinutes(5));
        harness.nudge("databaseusers", NS, "app");
        Await.until(
                "a reconcile at the later time",
                () -> harness.events.stream()
                                .filter(e -> e.contains("DatabaseUser/" + NS + "/app"))
                                .count()
                        >= 1);
        assertThat(value(secret(harness, NS, secretName), "password")).isEqualTo(password);
        assertThat(logsIn(username, password)).isTrue();
        assertNoLeak(harness, logs, passwords, List.of(user));
    }

    // ---- the server

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection(JDBC, "root", "");
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = admin()) {
            c.createStatement().execute(sql);
        }
    }

    /** {@code 'user'@'%'}, quoted by the server. */
    private static String account(String user) throws SQLException {
        try (Connection c = admin();
                var statement = c.prepareStatement("SELECT CONCAT(QUOTE(?), '@', QUOTE('%'))")) {
            statement.setString(1, user);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }

    private static String quoted(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    private static boolean logsIn(String user, String password) {
        try (Connection c = DriverManager.getConnection(JDBC, user, password)) {
            return c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    private static boolean accountExists(String user) throws SQLException {
        try (Connection c = admin();
                var statement = c.prepareStatement("SELECT 1 FROM mysql.user WHERE User = ?")) {
            statement.setString(1, user);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** Drops this test's accounts and databases (names start with its prefix). */
    private static void cleanUp(String prefix) throws SQLException {
        try (Connection c = admin()) {
            List<String> drops = new ArrayList<>();
            try (var find = c.prepareStatement(
                    "SELECT CONCAT('DROP USER ', QUOTE(User), '@', QUOTE(Host)) FROM mysql.user WHERE User LIKE"
                            + " CONCAT(?, '%')")) {
                find.setString(1, prefix);
                try (ResultSet rows = find.executeQuery()) {
                    while (rows.next()) {
                        drops.add(rows.getString(1));
                    }
                }
            }
            for (String drop : drops) {
                c.createStatement().execute(drop);
            }
            c.createStatement().execute("DROP DATABASE IF EXISTS " + quoted(prefix + "_db"));
        }
    }
}
