package io.dbprovision.apiserver.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An instance on the local PostgreSQL and a Database on it: Ready, really there, and dropped on deletion. */
class DatabaseReconcileTest {
    @TempDir
    Path dir;

    private ReconcileHarness harness;
    private final String db = "dbprc_" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void start() throws Exception {
        harness = new ReconcileHarness(dir);
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            c.createStatement().execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    static String postgresInstance(String namespace) {
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: pg-admin, namespace: %1$s}
                stringData: {username: postgres, password: unused-with-trust}
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata: {name: pg, namespace: %1$s}
                spec:
                  engine: postgres
                  connection: {host: 127.0.0.1, port: 5432, database: postgres, secretRef: {name: pg-admin}}
                  healthCheck: {intervalSeconds: 5}
                """.formatted(namespace);
    }

    @Test
    void aDatabaseBecomesReadyExistsAndIsDroppedOnDelete() throws Exception {
        harness.apply(postgresInstance("team-a"));
        DatabaseInstance instance = harness.awaitReady("databaseinstances", "team-a", "pg");
        assertThat(instance.getStatus().getVersion()).startsWith("15.");
        assertThat(instance.getStatus().getObservedGeneration())
                .isEqualTo(instance.getMetadata().getGeneration());

        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata: {name: app, namespace: team-a}
                spec:
                  instanceRef: {name: pg}
                  name: %s
                  deletionProtection: false
                """.formatted(db));
        Database ready = harness.awaitReady("databases", "team-a", "app");
        assertThat(ready.getStatus().getPhase().name()).isEqualTo("DATABASE_PHASE_READY");
        assertThat(ready.getStatus().getDatabase().getName()).isEqualTo(db);
        assertThat(ready.getMetadata().getFinalizersList()).contains("dbops.dbprovision.io/database-protection");
        assertThat(exists(db)).isTrue();
        harness.awaitEvents(1, "DatabaseInstance/team-a/pg Normal Connected");

        harness.delete("databases", "team-a", "app");
        Await.until("the Database goes", () -> !harness.exists("databases", "team-a", "app"));
        assertThat(exists(db)).isFalse();
    }

    /**
     * initSQL from a ConfigMap (the seed's configMapRef) runs in the new database once: the Database waits while the
     * ConfigMap is missing, then runs its statements split on ---, and records the hash and count.
     */
    @Test
    void initSqlFromAConfigMapRunsOnceTheConfigMapExists() throws Exception {
        harness.apply(postgresInstance("team-i"));
        harness.awaitReady("databaseinstances", "team-i", "pg");
        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata: {name: app, namespace: team-i}
                spec:
                  instanceRef: {name: pg}
                  name: %s
                  deletionProtection: false
                  initSQL:
                    configMapRef: {name: app-schema, key: init.sql}
                """.formatted(db));
        harness.await(
                "databases",
                "team-i",
                "app",
                (Database d) -> d.getStatus().getConditionsList().stream()
                        .anyMatch(c -> c.getReason().equals("ConfigMapNotFound")));
        harness.apply("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: app-schema, namespace: team-i}
                data:
                  init.sql: |
                    CREATE TABLE notes (id int)
                    ---
                    INSERT INTO notes VALUES (1), (2)
                """);
        // Nothing watches ConfigMaps: the waiting Database looks again within Waiting.UNWATCHED_RECHECK (5 s).
        Await.until(
                "the init SQL runs",
                java.time.Duration.ofSeconds(30),
                () -> ((Database) harness.get("databases", "team-i", "app"))
                        .getStatus()
                        .getInitSql()
                        .getApplied());
        Database ready = (Database) harness.get("databases", "team-i", "app");
        assertThat(ready.getStatus().getInitSql().getStatementsExecuted()).isEqualTo(2);
        assertThat(ready.getStatus().getInitSql().getHash()).hasSize(64);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db, "postgres", "");
                ResultSet rows = c.createStatement().executeQuery("SELECT count(*) FROM notes")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(2);
        }
    }

    @Test
    void aDatabaseWaitsForItsInstance() throws Exception {
        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata: {name: early, namespace: team-b}
                spec:
                  instanceRef: {name: pg}
                  name: %s
                  deletionProtection: false
                """.formatted(db));
        Database waiting = harness.await(
                "databases",
                "team-b",
                "early",
                (Database d) -> d.getStatus().getConditionsList().stream()
                        .anyMatch(c -> c.getReason().equals("InstanceNotFound")));
        assertThat(waiting.getStatus().getPhase().name()).isEqualTo("DATABASE_PHASE_PENDING");
        harness.apply(postgresInstance("team-b"));
        harness.awaitReady("databases", "team-b", "early");
        assertThat(exists(db)).isTrue();
    }

    /**
     * A new database's status comes from EnsureDatabase's answer (no ObserveDatabase, the template's schemas not
     * listed yet); the first drift check lists them; a database dropped behind our back is recreated in correct mode.
     */
    @Test
    void aDatabaseDroppedBehindOurBackIsRecreatedInCorrectMode() throws Exception {
        harness.apply(postgresInstance("team-c"));
        harness.awaitReady("databaseinstances", "team-c", "pg");
        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata: {name: app, namespace: team-c}
                spec:
                  instanceRef: {name: pg}
                  name: %s
                  deletionProtection: false
                  driftPolicy: {mode: correct, interval: 10s}
                """.formatted(db));
        Database created = harness.awaitReady("databases", "team-c", "app");
        assertThat(created.getStatus().getPostgres().getEncoding()).isEqualTo("UTF8");
        assertThat(created.getStatus().getDatabase().getOwner()).isEqualTo("postgres");
        assertThat(created.getStatus().getDrift().getDetected()).isFalse();
        assertThat(created.getStatus().getDrift().hasLastChecked()).isTrue();

        Await.until(
                "the first drift check lists the schemas",
                java.time.Duration.ofSeconds(60),
                () -> ((Database) harness.get("databases", "team-c", "app"))
                        .getStatus()
                        .getPostgres()
                        .getSchemasList()
                        .contains("public"));
        Database checked = (Database) harness.get("databases", "team-c", "app");
        assertThat(checked.getStatus().getDrift().getDetected()).isFalse();

        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            c.createStatement().execute("DROP DATABASE " + db + " WITH (FORCE)");
        }
        Await.until(
                "the drift is corrected",
                java.time.Duration.ofSeconds(60),
                () -> harness.events.stream()
                        .anyMatch(e ->
                                e.contains("Database/team-c/app Normal DriftCorrected corrected drift in database")));
        assertThat(exists(db)).isTrue();
        Database corrected = harness.awaitReady("databases", "team-c", "app");
        assertThat(corrected.getStatus().getDrift().getDetected()).isFalse();
    }

    static boolean exists(String database) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                var statement = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            statement.setString(1, database);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }
}
