package io.dbprovision.apiserver.reconcile;

import static io.dbprovision.apiserver.reconcile.EngineSql.asPostgresUser;
import static io.dbprovision.apiserver.reconcile.EngineSql.id;
import static io.dbprovision.apiserver.reconcile.EngineSql.postgres;
import static io.dbprovision.apiserver.reconcile.EngineSql.postgresRows;
import static io.dbprovision.apiserver.reconcile.GrantFixtures.readyAtGeneration;
import static io.dbprovision.apiserver.reconcile.GrantFixtures.readyReason;
import static io.dbprovision.apiserver.reconcile.GrantFixtures.user;
import static io.dbprovision.apiserver.reconcile.GrantFixtures.userReady;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseRole;
import io.dbprovision.proto.v1alpha1.GrantPhase;
import io.dbprovision.proto.v1alpha1.GrantTargetType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DatabaseGrants and ClusterDatabaseGrants on the local PostgreSQL, checked by logging in as the grantee: what is
 * granted works, what is not is denied (42501), a changed grant is followed (including what it stopped naming), and
 * a deleted grant takes everything back, default privileges included.
 */
class GrantPostgresTest {
    private static final String DENIED = "42501";

    @TempDir
    Path dir;

    private ReconcileHarness harness;
    private final String prefix = "dbprg_" + UUID.randomUUID().toString().substring(0, 8);
    private final String db = prefix;
    private final String username = prefix + "_u";
    private final List<String> roles = new ArrayList<>(List.of(username, prefix + "_r"));

    @BeforeEach
    void start() throws Exception {
        harness = new ReconcileHarness(dir);
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
        EngineSql.dropPostgres(List.of(db), roles);
    }

    /** The instance pg and the Database app-db in {@code namespace}, with tables app.t1, app.t2 and other.t3. */
    private void instanceAndDatabase(String namespace) throws Exception {
        harness.apply(DatabaseReconcileTest.postgresInstance(namespace));
        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata: {name: app-db, namespace: %s}
                spec:
                  instanceRef: {name: pg}
                  name: %s
                  deletionProtection: false
                """.formatted(namespace, db));
        harness.awaitReady("databases", namespace, "app-db");
        postgres(
                db,
                "CREATE SCHEMA app",
                "CREATE SCHEMA other",
                "CREATE TABLE app.t1 (id int)",
                "CREATE TABLE app.t2 (id int)",
                "CREATE TABLE other.t3 (id int)",
                "CREATE TABLE app.canary (id int)");
    }

    private void engineUser() throws Exception {
        postgres("postgres", "CREATE ROLE " + id(username) + " LOGIN");
    }

    private String grant(String namespace, String name, String target, String postgresBlock) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseGrant
                metadata: {name: %2$s, namespace: %1$s}
                spec:
                  %3$s
                  deletionProtection: false
                  postgres:
                %4$s
                """.formatted(namespace, name, target, postgresBlock.indent(4).stripTrailing());
    }

    @Test
    void aGrantToAUserIsAppliedFollowsItsChangesAndIsRevokedWithItsDefaultPrivileges() throws Exception {
        instanceAndDatabase("team-a");
        engineUser();
        harness.apply(user("team-a", "app-user", "instanceRef: {name: pg}", username));
        userReady(harness, "team-a", "app-user");

        String target = "userRef: {name: app-user}\n  databaseRef: {name: app-db}";
        harness.apply(grant("team-a", "app-grant", target, """
                grants:
                  - {database: %1$s, schema: app, privileges: [USAGE]}
                  - {database: %1$s, schema: app, tables: [t1, t2], privileges: [SELECT, INSERT]}
                defaultPrivileges:
                  - {database: %1$s, schema: app, grantedBy: postgres, objectType: tables, privileges: [SELECT]}
                """.formatted(db)));
        DatabaseGrant ready = harness.await("databasegrants", "team-a", "app-grant", readyAtGeneration());
        assertThat(ready.getStatus().getPhase()).isEqualTo(GrantPhase.GRANT_PHASE_READY);
        assertThat(ready.getStatus().getAppliedGrants().getDirectGrants()).isEqualTo(2);
        assertThat(ready.getStatus().getAppliedGrants().getDefaultPrivileges()).isEqualTo(1);
        assertThat(ready.getStatus().getApplied().getGrantee()).isEqualTo(username);
        assertThat(ready.getStatus().getApplied().getInstanceRef().getName()).isEqualTo("pg");
        assertThat(ready.getMetadata().getFinalizersList()).contains("dbops.dbprovision.io/grant-protection");

        assertThat(asPostgresUser(db, username, "SELECT * FROM app.t1")).isEmpty();
        assertThat(asPostgresUser(db, username, "INSERT INTO app.t2 VALUES (1)"))
                .isEmpty();
        assertThat(asPostgresUser(db, username, "DELETE FROM app.t1")).isEqualTo(DENIED);
        assertThat(asPostgresUser(db, username, "SELECT * FROM other.t3")).isEqualTo(DENIED);
        // Default privileges: a table the grantor creates later is readable at once.
        postgres(db, "CREATE TABLE app.later (id int)");
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.later")).isEmpty();

        // Less on app (no INSERT, no t2), more elsewhere (the other schema, all of its tables).
        harness.apply(grant("team-a", "app-grant", target, """
                grants:
                  - {database: %1$s, schema: app, privileges: [USAGE]}
                  - {database: %1$s, schema: app, tables: [t1], privileges: [SELECT]}
                  - {database: %1$s, schema: other, privileges: [USAGE]}
                  - {database: %1$s, schema: other, tables: ["*"], privileges: [SELECT]}
                defaultPrivileges:
                  - {database: %1$s, schema: app, grantedBy: postgres, objectType: tables, privileges: [SELECT]}
                """.formatted(db)));
        harness.await("databasegrants", "team-a", "app-grant", readyAtGeneration());
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.t1")).isEmpty();
        assertThat(asPostgresUser(db, username, "INSERT INTO app.t1 VALUES (1)"))
                .isEqualTo(DENIED);
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.t2")).isEqualTo(DENIED);
        assertThat(asPostgresUser(db, username, "INSERT INTO app.t2 VALUES (1)"))
                .isEqualTo(DENIED);
        assertThat(asPostgresUser(db, username, "SELECT * FROM other.t3")).isEmpty();
        // One Applied per change, not one per reconcile.
        assertThat(harness.awaitEvents(2, "DatabaseGrant/team-a/app-grant", "Normal Applied"))
                .hasSize(2);

        harness.delete("databasegrants", "team-a", "app-grant");
        Await.until("the grant goes", () -> !harness.exists("databasegrants", "team-a", "app-grant"));
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.t1")).isEqualTo(DENIED);
        assertThat(asPostgresUser(db, username, "SELECT * FROM other.t3")).isEqualTo(DENIED);
        assertThat(defaultPrivilegesOf(username)).isZero();
        postgres(db, "CREATE TABLE app.later2 (id int)");
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.later2")).isEqualTo(DENIED);
        assertThat(harness.awaitEvents(1, "DatabaseGrant/team-a/app-grant", "Normal Revoked"))
                .hasSize(1);
    }

    @Test
    void aGrantWaitsForItsUserThenGivesDatabaseLevelPrivileges() throws Exception {
        instanceAndDatabase("team-b");
        engineUser();
        harness.apply(grant("team-b", "connect", "userRef: {name: late-user}", """
                grants:
                  - {database: %s, privileges: [CONNECT, CREATE]}
                """.formatted(db)));
        DatabaseGrant waiting = harness.await("databasegrants", "team-b", "connect", readyReason("UserNotFound"));
        assertThat(waiting.getStatus().getPhase()).isEqualTo(GrantPhase.GRANT_PHASE_PENDING);

        harness.apply(user("team-b", "late-user", "instanceRef: {name: pg}", username));
        harness.await("databasegrants", "team-b", "connect", readyReason("UserNotReady"));
        assertThat(asPostgresUser(db, username, "CREATE SCHEMA " + id(prefix + "_s")))
                .isEqualTo(DENIED);

        // The user turning Ready queues the grant (the controller watches users).
        userReady(harness, "team-b", "late-user");
        harness.await("databasegrants", "team-b", "connect", readyAtGeneration());
        assertThat(asPostgresUser(db, username, "CREATE SCHEMA " + id(prefix + "_s")))
                .isEmpty();
        assertThat(databaseAcl()).contains(username + "=Cc/postgres");

        harness.delete("databasegrants", "team-b", "connect");
        Await.until("the grant goes", () -> !harness.exists("databasegrants", "team-b", "connect"));
        assertThat(databaseAcl()).doesNotContain(username);
    }

    @Test
    void aRoleTakesARoleRefGrantAndIsDroppedOnlyAfterItsGrants() throws Exception {
        instanceAndDatabase("team-c");
        String role = prefix + "_r";
        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseRole
                metadata: {name: readers, namespace: team-c}
                spec:
                  instanceRef: {name: pg}
                  roleName: %s
                  postgres: {login: false}
                """.formatted(role));
        DatabaseRole readers = harness.await("databaseroles", "team-c", "readers", readyAtGeneration());
        assertThat(readers.getStatus().getRole().getName()).isEqualTo(role);
        assertThat(postgresRows("postgres", "SELECT rolname FROM pg_roles WHERE rolname = ?", role))
                .containsExactly(role);

        harness.apply(grant("team-c", "readers-t1", "roleRef: {name: readers}", """
                grants:
                  - {database: %1$s, schema: app, privileges: [USAGE]}
                  - {database: %1$s, schema: app, tables: [t1], privileges: [SELECT]}
                """.formatted(db)));
        harness.await("databasegrants", "team-c", "readers-t1", readyAtGeneration());
        engineUser();
        postgres("postgres", "GRANT " + id(role) + " TO " + id(username));
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.t1")).isEmpty();
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.t2")).isEqualTo(DENIED);

        // The role waits for the grant that names it.
        harness.delete("databaseroles", "team-c", "readers");
        harness.await("databaseroles", "team-c", "readers", readyReason("DependenciesExist"));
        assertThat(postgresRows("postgres", "SELECT rolname FROM pg_roles WHERE rolname = ?", role))
                .containsExactly(role);

        harness.delete("databasegrants", "team-c", "readers-t1");
        Await.until("the role goes", () -> !harness.exists("databaseroles", "team-c", "readers"));
        assertThat(postgresRows("postgres", "SELECT rolname FROM pg_roles WHERE rolname = ?", role))
                .isEmpty();
        assertThat(harness.awaitEvents(1, "DatabaseRole/team-c/readers", "Normal Deleted"))
                .hasSize(1);
    }

    @Test
    void clusterGrantsOnAClusterInstanceForAUserAndAClusterRole() throws Exception {
        String instance = prefix.replace('_', '-');
        harness.apply(GrantFixtures.clusterPostgresInstance(instance, "dbops-system"));
        harness.awaitReady("clusterdatabaseinstances", "", instance);
        postgres("postgres", "CREATE DATABASE " + id(db));
        postgres(db, "CREATE SCHEMA app", "CREATE TABLE app.t1 (id int)", "CREATE TABLE app.t2 (id int)");
        engineUser();
        harness.apply(user("team-d", "app-user", "clusterInstanceRef: {name: " + instance + "}", username));
        userReady(harness, "team-d", "app-user");

        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: ClusterDatabaseGrant
                metadata: {name: %2$s-user}
                spec:
                  clusterInstanceRef: {name: %2$s}
                  userRef: {name: app-user, namespace: team-d}
                  deletionProtection: false
                  postgres:
                    grants:
                      - {database: %1$s, schema: app, privileges: [USAGE]}
                      - {database: %1$s, schema: app, tables: [t1], privileges: [SELECT]}
                """.formatted(db, instance));
        ClusterDatabaseGrant forUser =
                harness.await("clusterdatabasegrants", "", instance + "-user", readyAtGeneration());
        assertThat(forUser.getStatus().getTargetInfo().getType()).isEqualTo(GrantTargetType.GRANT_TARGET_TYPE_USER);
        assertThat(forUser.getStatus().getTargetInfo().getNamespace()).isEqualTo("team-d");
        assertThat(forUser.getStatus().getTargetInfo().getResolvedUsername()).isEqualTo(username);
        assertThat(forUser.getStatus().getAppliedGrants().getApplied()).isEqualTo(2);
        assertThat(forUser.getStatus().getApplied().getClusterInstanceRef().getName())
                .isEqualTo(instance);
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.t1")).isEmpty();

        // A namespaced DatabaseGrant for a user on a cluster instance works too (§10.2).
        harness.apply(grant("team-d", "t2", "userRef: {name: app-user}", """
                grants:
                  - {database: %1$s, schema: app, privileges: [USAGE]}
                  - {database: %1$s, schema: app, tables: [t2], privileges: [SELECT]}
                """.formatted(db)));
        harness.await("databasegrants", "team-d", "t2", readyAtGeneration());
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.t2")).isEmpty();

        String role = prefix + "_r";
        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: ClusterDatabaseRole
                metadata: {name: %2$s-role}
                spec:
                  clusterInstanceRef: {name: %2$s}
                  roleName: %1$s
                """.formatted(role, instance));
        harness.await("clusterdatabaseroles", "", instance + "-role", readyAtGeneration());
        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: ClusterDatabaseGrant
                metadata: {name: %2$s-role}
                spec:
                  clusterInstanceRef: {name: %2$s}
                  roleRef: {name: %2$s-role}
                  deletionProtection: false
                  postgres:
                    grants:
                      - {database: %1$s, privileges: [CONNECT]}
                """.formatted(db, instance));
        ClusterDatabaseGrant forRole =
                harness.await("clusterdatabasegrants", "", instance + "-role", readyAtGeneration());
        assertThat(forRole.getStatus().getTargetInfo().getType()).isEqualTo(GrantTargetType.GRANT_TARGET_TYPE_ROLE);
        assertThat(forRole.getStatus().getTargetInfo().getNamespace()).isEmpty();
        assertThat(forRole.getStatus().getTargetInfo().getResolvedUsername()).isEqualTo(role);
        assertThat(databaseAcl()).contains(role + "=c/postgres");

        // A ClusterDatabaseRole waits for the grants naming it as well (§10.9).
        harness.delete("clusterdatabaseroles", "", instance + "-role");
        harness.await("clusterdatabaseroles", "", instance + "-role", readyReason("DependenciesExist"));
        harness.delete("clusterdatabasegrants", "", instance + "-role");
        Await.until("the role goes", () -> !harness.exists("clusterdatabaseroles", "", instance + "-role"));
        assertThat(postgresRows("postgres", "SELECT rolname FROM pg_roles WHERE rolname = ?", role))
                .isEmpty();

        harness.delete("clusterdatabasegrants", "", instance + "-user");
        Await.until("the grant goes", () -> !harness.exists("clusterdatabasegrants", "", instance + "-user"));
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.t1")).isEqualTo(DENIED);
        // What the other grant gives stays.
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.t2")).isEmpty();
        harness.delete("databasegrants", "team-d", "t2");
        Await.until("the grant goes", () -> !harness.exists("databasegrants", "team-d", "t2"));
    }

    @Test
    void aGrantWaitsForItsDatabaseAndFinishesEvenWhenTheDatabaseWentFirst() throws Exception {
        harness.apply(DatabaseReconcileTest.postgresInstance("team-f"));
        engineUser();
        harness.apply(user("team-f", "app-user", "instanceRef: {name: pg}", username));
        userReady(harness, "team-f", "app-user");
        String dbGrant = """
                grants:
                  - {database: %1$s, privileges: [CONNECT]}
                  - {database: %1$s, schema: public, privileges: [USAGE]}
                """.formatted(db);
        harness.apply(grant("team-f", "on-db", "userRef: {name: app-user}\n  databaseRef: {name: later-db}", dbGrant));
        harness.await("databasegrants", "team-f", "on-db", readyReason("DatabaseNotFound"));
        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata: {name: later-db, namespace: team-f}
                spec:
                  instanceRef: {name: pg}
                  name: %s
                  deletionProtection: false
                """.formatted(db));
        harness.await("databasegrants", "team-f", "on-db", readyAtGeneration());
        assertThat(databaseAcl()).contains(username + "=c/postgres");

        // A grant without databaseRef does not hold the database back; dropped behind its back, the database's
        // privileges went with it, and deleting the grant must not hang on them.
        harness.apply(grant("team-f", "loose", "userRef: {name: app-user}", dbGrant));
        harness.await("databasegrants", "team-f", "loose", readyAtGeneration());
        postgres("postgres", "DROP DATABASE " + id(db) + " WITH (FORCE)");
        harness.delete("databasegrants", "team-f", "loose");
        Await.until("the grant goes", () -> !harness.exists("databasegrants", "team-f", "loose"));
    }

    @Test
    void correctModePutsBackWhatWasTakenAndRevokesExtrasOnlyWhenAllowed() throws Exception {
        instanceAndDatabase("team-g");
        engineUser();
        harness.apply(user("team-g", "app-user", "instanceRef: {name: pg}", username));
        userReady(harness, "team-g", "app-user");
        harness.apply(grant(
                "team-g",
                "kept",
                "userRef: {name: app-user}\n  driftPolicy: {mode: correct, interval: 10s}",
                """
                grants:
                  - {database: %1$s, schema: app, privileges: [USAGE]}
                  - {database: %1$s, schema: app, tables: [t1], privileges: [SELECT]}
                """.formatted(db)));
        harness.await("databasegrants", "team-g", "kept", readyAtGeneration());

        // Someone takes SELECT away and adds INSERT by hand.
        postgres(db, "REVOKE SELECT ON app.t1 FROM " + id(username), "GRANT INSERT ON app.t1 TO " + id(username));
        GrantFixtures.eventually(
                java.time.Duration.ofSeconds(60),
                "the drift check puts SELECT back",
                () -> asPostgresUser(db, username, "SELECT * FROM app.t1").isEmpty()
                        && !harness.events("DatabaseGrant/team-g/kept", "DriftCorrected")
                                .isEmpty());
        DatabaseGrant corrected = harness.await(
                "databasegrants",
                "team-g",
                "kept",
                (DatabaseGrant g) -> g.getStatus().getDrift().getDetected());
        // The extra INSERT is destructive to take: reported, kept.
        assertThat(corrected.getStatus().getDrift().getDiffsList())
                .anyMatch(d -> d.getField().endsWith(".extra") && d.getDestructive());
        assertThat(asPostgresUser(db, username, "INSERT INTO app.t1 VALUES (1)"))
                .isEmpty();

        harness.annotate("databasegrants", "team-g", "kept", "dbops.dbprovision.io/allow-destructive-drift", "true");
        GrantFixtures.eventually(
                java.time.Duration.ofSeconds(60),
                "the drift check revokes the extra INSERT",
                () -> asPostgresUser(db, username, "INSERT INTO app.t1 VALUES (1)")
                        .equals(DENIED));
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.t1")).isEmpty();
    }

    @Test
    void twoGrantsGivingTheSamePrivilegeDoNotTakeItFromEachOther() throws Exception {
        instanceAndDatabase("team-e");
        engineUser();
        harness.apply(user("team-e", "app-user", "instanceRef: {name: pg}", username));
        userReady(harness, "team-e", "app-user");
        String both = """
                grants:
                  - {database: %1$s, schema: app, privileges: [USAGE]}
                  - {database: %1$s, schema: app, tables: [t1], privileges: [SELECT]}
                """.formatted(db);
        harness.apply(grant("team-e", "first", "userRef: {name: app-user}", both));
        harness.apply(grant("team-e", "second", "userRef: {name: app-user}", both));
        harness.await("databasegrants", "team-e", "first", readyAtGeneration());
        harness.await("databasegrants", "team-e", "second", readyAtGeneration());

        harness.delete("databasegrants", "team-e", "first");
        Await.until("the grant goes", () -> !harness.exists("databasegrants", "team-e", "first"));
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.t1")).isEmpty();

        harness.delete("databasegrants", "team-e", "second");
        Await.until("the grant goes", () -> !harness.exists("databasegrants", "team-e", "second"));
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.t1")).isEqualTo(DENIED);
    }

    /**
     * Two grants to one user in one schema, both correcting destructively: neither reports the other's privilege as
     * its drift, and neither revokes it; what was granted by hand goes.
     */
    @Test
    void twoGrantsInOneSchemaAreNotEachOthersDriftAndCorrectionsKeepEachOthersPrivileges() throws Exception {
        instanceAndDatabase("team-f");
        engineUser();
        harness.apply(user("team-f", "app-user", "instanceRef: {name: pg}", username));
        userReady(harness, "team-f", "app-user");
        String target = "userRef: {name: app-user}\n  driftPolicy: {mode: correct, interval: 10s}";
        String annotated = "metadata: {name: %s, namespace: team-f}";
        for (String[] g : List.of(new String[] {"reads", "SELECT"}, new String[] {"writes", "INSERT"})) {
            harness.apply(grant("team-f", g[0], target, """
                            grants:
                              - {database: %1$s, schema: app, privileges: [USAGE]}
                              - {database: %1$s, schema: app, tables: [t1], privileges: [%2$s]}
                            """.formatted(db, g[1]))
                    .replace(
                            annotated.formatted(g[0]),
                            annotated
                                    .formatted(g[0])
                                    .replace(
                                            "}",
                                            ", annotations: {"
                                                    + "dbops.dbprovision.io/allow-destructive-drift: \"true\"}}")));
        }
        DatabaseGrant reads = harness.await("databasegrants", "team-f", "reads", readyAtGeneration());
        harness.await("databasegrants", "team-f", "writes", readyAtGeneration());
        assertThat(reads.getMetadata().getAnnotationsMap())
                .containsEntry("dbops.dbprovision.io/allow-destructive-drift", "true");

        postgres(db, "GRANT UPDATE ON app.t1 TO " + id(username));
        GrantFixtures.eventually(
                java.time.Duration.ofSeconds(60),
                "a drift check revokes the UPDATE given by hand",
                () -> asPostgresUser(db, username, "UPDATE app.t1 SET id = 1").equals(DENIED));
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.t1")).isEmpty();
        assertThat(asPostgresUser(db, username, "INSERT INTO app.t1 VALUES (1)"))
                .isEmpty();
        long revokedAt = java.time.Instant.now().getEpochSecond();
        for (String name : List.of("reads", "writes")) {
            GrantFixtures.eventually(
                    java.time.Duration.ofSeconds(60),
                    name + " checks again and reports no drift of the other grant",
                    () -> {
                        var drift = ((DatabaseGrant) harness.get("databasegrants", "team-f", name))
                                .getStatus()
                                .getDrift();
                        return drift.getLastChecked().getSeconds() > revokedAt && drift.getDiffsCount() == 0;
                    });
        }
        assertThat(asPostgresUser(db, username, "SELECT * FROM app.t1")).isEmpty();
        assertThat(asPostgresUser(db, username, "INSERT INTO app.t1 VALUES (1)"))
                .isEmpty();
    }

    @Test
    void hostileGrantsFailWithTheEnginesWordsAndNoSecretAndHarmNothing() throws Exception {
        instanceAndDatabase("team-h");
        // The longest names the API allows.
        String longUser = (prefix + "_" + "u".repeat(63)).substring(0, 63);
        roles.add(longUser);
        postgres("postgres", "CREATE ROLE " + id(longUser) + " LOGIN");
        harness.apply(user("team-h", "long-user", "instanceRef: {name: pg}", longUser));
        userReady(harness, "team-h", "long-user");
        harness.apply(grant("team-h", "long", "userRef: {name: long-user}", """
                grants:
                  - {database: %1$s, schema: app, privileges: [USAGE]}
                  - {database: %1$s, schema: app, tables: [t1], privileges: [SELECT]}
                """.formatted(db)));
        harness.await("databasegrants", "team-h", "long", readyAtGeneration());
        assertThat(asPostgresUser(db, longUser, "SELECT * FROM app.t1")).isEmpty();

        // A privilege PostgreSQL does not have: Failed, in the provisioner's words.
        harness.apply(grant("team-h", "bogus", "userRef: {name: long-user}", """
                grants:
                  - {database: %s, schema: app, tables: [t1], privileges: [FLY]}
                """.formatted(db)));
        DatabaseGrant bogus = harness.await(
                "databasegrants",
                "team-h",
                "bogus",
                (DatabaseGrant g) -> g.getStatus().getPhase() == GrantPhase.GRANT_PHASE_FAILED);
        assertThat(bogus.getStatus().getMessage())
                .contains("privileges[0]: not a PostgreSQL privilege")
                .doesNotContain("unused-with-trust");
        assertThat(GrantFixtures.readyMessage(bogus)).contains("not a PostgreSQL privilege");
        assertThat(ReconcileHarness.conditions(bogus))
                .anyMatch(c -> c.getType().equals("Ready") && c.getReason().equals("InvalidSpec"));

        // A table that does not exist, and one whose name tries to end the statement: refused by the engine.
        harness.apply(grant("team-h", "sneaky", "userRef: {name: long-user}", """
                grants:
                  - database: %s
                    schema: app
                    tables: ['t1"; DROP TABLE app.canary; --', "missing"]
                    privileges: [SELECT]
                """.formatted(db)));
        DatabaseGrant sneaky = harness.await(
                "databasegrants",
                "team-h",
                "sneaky",
                (DatabaseGrant g) -> g.getStatus().getPhase() == GrantPhase.GRANT_PHASE_FAILED);
        assertThat(sneaky.getStatus().getMessage()).doesNotContain("unused-with-trust");
        assertThat(postgresRows(
                        db, "SELECT tablename FROM pg_tables WHERE schemaname = 'app' AND tablename = ?", "canary"))
                .containsExactly("canary");

        // Names beyond the limits never reach the engine.
        assertThatThrownBy(() -> harness.apply("""
                        apiVersion: dbops.dbprovision.io/v1alpha1
                        kind: DatabaseRole
                        metadata: {name: too-long, namespace: team-h}
                        spec:
                          instanceRef: {name: pg}
                          roleName: %s
                        """.formatted("r".repeat(64)))).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> harness.apply("""
                        apiVersion: dbops.dbprovision.io/v1alpha1
                        kind: DatabaseRole
                        metadata: {name: injected, namespace: team-h}
                        spec:
                          instanceRef: {name: pg}
                          roleName: 'x"; DROP ROLE postgres; --'
                        """)).isInstanceOf(ApiException.class);

        // The user object goes first (its engine user stays): deleting the grant has nothing to revoke from.
        harness.delete("databaseusers", "team-h", "long-user");
        Await.until("the user goes", () -> !harness.exists("databaseusers", "team-h", "long-user"));
        harness.delete("databasegrants", "team-h", "bogus");
        Await.until("the grant goes", () -> !harness.exists("databasegrants", "team-h", "bogus"));
        assertThat(harness.awaitEvents(1, "DatabaseGrant/team-h/bogus", "RevokeSkipped"))
                .hasSize(1);
    }

    private String databaseAcl() throws Exception {
        return String.join(",", postgresRows("postgres", "SELECT datacl::text FROM pg_database WHERE datname = ?", db));
    }

    private int defaultPrivilegesOf(String role) throws Exception {
        return Integer.parseInt(postgresRows(
                        db,
                        "SELECT count(*) FROM pg_default_acl d, aclexplode(d.defaclacl) a"
                                + " WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = ?)",
                        role)
                .getFirst());
    }
}
