package io.dbprovision.apiserver.reconcile;

import static io.dbprovision.apiserver.reconcile.EngineSql.id;
import static io.dbprovision.apiserver.reconcile.EngineSql.mariadb;
import static io.dbprovision.apiserver.reconcile.EngineSql.mariadbRows;
import static io.dbprovision.apiserver.reconcile.EngineSql.postgres;
import static io.dbprovision.apiserver.reconcile.EngineSql.postgresRows;
import static io.dbprovision.apiserver.reconcile.EngineSql.quietly;
import static io.dbprovision.apiserver.reconcile.GrantFixtures.readyAtGeneration;
import static io.dbprovision.apiserver.reconcile.GrantFixtures.readyReason;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseRole;
import io.dbprovision.proto.v1alpha1.DatabaseRole;
import io.dbprovision.proto.v1alpha1.RolePhase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DatabaseRoles on the local PostgreSQL and MariaDB: Ready and really there with their attributes and privileges,
 * drift in status, deletion by the annotations (protection, Retain, Delete), and a changed spec that revokes what it
 * dropped — and only what the role's own spec gave: what a DatabaseGrant gives the role, or someone granted by hand,
 * stays.
 */
class RoleReconcileTest {
    @TempDir
    Path dir;

    private ReconcileHarness harness;
    private final String prefix = "dbprg_" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> postgresRoles = new ArrayList<>();
    private final List<String> mariadbRoles = new ArrayList<>();
    private final List<String> postgresDatabases = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        harness = new ReconcileHarness(dir);
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
        EngineSql.dropPostgres(postgresDatabases, postgresRoles);
        for (String role : mariadbRoles) {
            quietly(() -> mariadb("DROP ROLE IF EXISTS " + id(role)));
        }
        quietly(() -> mariadb("DROP DATABASE IF EXISTS " + id(prefix)));
    }

    private String role(String namespace, String name, String instance, String roleName, String more) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseRole
                metadata:
                  name: %2$s
                  namespace: %1$s
                %5$s
                spec:
                  instanceRef: {name: %3$s}
                  roleName: %4$s
                """.formatted(namespace, name, instance, roleName, more.indent(2).stripTrailing());
    }

    @Test
    void aPostgresRoleIsCreatedWithItsAttributesAtTheLongestNameAndDroppedOnDelete() throws Exception {
        harness.apply(DatabaseReconcileTest.postgresInstance("team-r"));
        String name = (prefix + "_" + "x".repeat(63)).substring(0, 63);
        postgresRoles.add(name);
        harness.apply(role("team-r", "longest", "pg", name, "").replace("spec:\n", """
                spec:
                  postgres: {createDB: true, inherit: false}
                """));
        DatabaseRole ready = harness.await("databaseroles", "team-r", "longest", readyAtGeneration());
        assertThat(ready.getStatus().getPhase()).isEqualTo(RolePhase.ROLE_PHASE_READY);
        assertThat(ready.getStatus().getRole().getName()).isEqualTo(name);
        assertThat(ready.getStatus().getRole().hasCreatedAt()).isTrue();
        assertThat(ready.getStatus().getDrift().getDetected()).isFalse();
        assertThat(ready.getMetadata().getFinalizersList()).contains("dbops.dbprovision.io/role-protection");
        assertThat(postgresRows(
                        "postgres",
                        "SELECT rolcreatedb::text || rolinherit::text || rolcanlogin::text FROM pg_roles"
                                + " WHERE rolname = ?",
                        name))
                .containsExactly("truefalsefalse");
        assertThat(harness.awaitEvents(1, "DatabaseRole/team-r/longest", "Normal Created"))
                .hasSize(1);

        harness.delete("databaseroles", "team-r", "longest");
        Await.until("the role goes", () -> !harness.exists("databaseroles", "team-r", "longest"));
        assertThat(postgresRows("postgres", "SELECT rolname FROM pg_roles WHERE rolname = ?", name))
                .isEmpty();
    }

    @Test
    void deletionProtectionHoldsUntilForcedAndRetainKeepsTheRole() throws Exception {
        harness.apply(DatabaseReconcileTest.postgresInstance("team-s"));
        String kept = prefix + "_kept";
        String guarded = prefix + "_guarded";
        postgresRoles.add(kept);
        postgresRoles.add(guarded);
        harness.apply(
                role("team-s", "kept", "pg", kept, "annotations: {dbops.dbprovision.io/deletion-policy: Retain}"));
        harness.apply(role(
                "team-s",
                "guarded",
                "pg",
                guarded,
                "annotations: {dbops.dbprovision.io/deletion-protection: \"true\"}"));
        harness.await("databaseroles", "team-s", "kept", readyAtGeneration());
        harness.await("databaseroles", "team-s", "guarded", readyAtGeneration());

        harness.delete("databaseroles", "team-s", "kept");
        Await.until("the object goes", () -> !harness.exists("databaseroles", "team-s", "kept"));
        assertThat(postgresRows("postgres", "SELECT rolname FROM pg_roles WHERE rolname = ?", kept))
                .containsExactly(kept);
        assertThat(harness.awaitEvents(1, "DatabaseRole/team-s/kept", "Retained"))
                .hasSize(1);

        harness.delete("databaseroles", "team-s", "guarded");
        DatabaseRole blocked = harness.await("databaseroles", "team-s", "guarded", readyReason("DeletionProtected"));
        assertThat(blocked.getStatus().getPhase()).isEqualTo(RolePhase.ROLE_PHASE_DELETING);
        assertThat(harness.awaitEvents(1, "DatabaseRole/team-s/guarded", "Warning DeletionBlocked"))
                .hasSize(1);
        harness.annotate("databaseroles", "team-s", "guarded", "dbops.dbprovision.io/force-delete", "true");
        Await.until("the role goes", () -> !harness.exists("databaseroles", "team-s", "guarded"));
        assertThat(postgresRows("postgres", "SELECT rolname FROM pg_roles WHERE rolname = ?", guarded))
                .isEmpty();
    }

    @Test
    void aMariaDbRoleWithItsOwnPrivilegesIsCreatedAndDropped() throws Exception {
        mariadb("CREATE DATABASE " + id(prefix));
        harness.apply(GrantFixtures.mariadbInstance("team-t"));
        String name = prefix + "_reader";
        mariadbRoles.add(name);
        harness.apply(role("team-t", "reader", "maria", name, "").replace("spec:\n", """
                spec:
                  mysql:
                    grants:
                      - {level: database, database: %s, privileges: [SELECT]}
                """.formatted(prefix)));
        DatabaseRole ready = harness.await("databaseroles", "team-t", "reader", readyAtGeneration());
        assertThat(ready.getStatus().getRole().getName()).isEqualTo(name);
        assertThat(ready.getStatus().getDrift().getDetected()).isFalse();
        assertThat(mariadbRows("SELECT is_role FROM mysql.user WHERE user = ?", name))
                .containsExactly("Y");
        assertThat(mariadbRows("SELECT Select_priv FROM mysql.db WHERE user = ? AND db = ?", name, prefix))
                .containsExactly("Y");

        harness.delete("databaseroles", "team-t", "reader");
        Await.until("the role goes", () -> !harness.exists("databaseroles", "team-t", "reader"));
        assertThat(mariadbRows("SELECT is_role FROM mysql.user WHERE user = ?", name))
                .isEmpty();
    }

    @Test
    void aPostgresRoleRevokesWhatItsSpecDropsButNotWhatAGrantOrAnAdminGaveIt() throws Exception {
        String db = prefix;
        String role = prefix + "_conv";
        String a = prefix + "_a";
        String b = prefix + "_b";
        String c = prefix + "_c";
        postgresDatabases.add(db);
        postgresRoles.addAll(List.of(role, a, b, c));
        postgres("postgres", "CREATE DATABASE " + id(db));
        postgres(db, "CREATE TABLE t1 (id int)", "CREATE TABLE t2 (id int)", "CREATE TABLE t3 (id int)");
        postgres("postgres", "CREATE ROLE " + id(a), "CREATE ROLE " + id(b), "CREATE ROLE " + id(c));
        harness.apply(DatabaseReconcileTest.postgresInstance("team-u"));
        harness.apply(role("team-u", "conv", "pg", role, "").replace("spec:\n", """
                spec:
                  postgres:
                    inRoles: [%s, %s]
                    grants:
                      - {database: %s, schema: public, tables: [t1, t2], privileges: [SELECT, INSERT]}
                """.formatted(a, b, db)));
        DatabaseRole first = harness.await("databaseroles", "team-u", "conv", readyAtGeneration());
        assertThat(first.getStatus().getApplied().getInRolesList()).containsExactly(a, b);
        assertThat(first.getStatus().getApplied().getInstanceRef().getName()).isEqualTo("pg");
        assertThat(memberships(role)).containsExactly(a, b);
        assertThat(tablePrivileges(db, "t2", role)).containsExactly("INSERT", "SELECT");

        // Outside the role's spec: an admin's grants by hand, and a DatabaseGrant for the role.
        postgres(db, "GRANT SELECT ON t3 TO " + id(role));
        postgres("postgres", "GRANT " + id(c) + " TO " + id(role));
        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseGrant
                metadata: {name: conv-extra, namespace: team-u}
                spec:
                  roleRef: {name: conv}
                  deletionProtection: false
                  postgres:
                    roles: [%s]
                    grants:
                      - {database: %s, schema: public, tables: [t2], privileges: [SELECT]}
                """.formatted(b, db));
        harness.await("databasegrants", "team-u", "conv-extra", readyAtGeneration());

        // The spec drops both memberships, INSERT, and t2 altogether.
        harness.apply(role("team-u", "conv", "pg", role, "").replace("spec:\n", """
                spec:
                  postgres:
                    grants:
                      - {database: %s, schema: public, tables: [t1], privileges: [SELECT]}
                """.formatted(db)));
        DatabaseRole second = harness.await("databaseroles", "team-u", "conv", readyAtGeneration());
        assertThat(second.getMetadata().getGeneration()).isEqualTo(2);
        // a goes; b stays (the DatabaseGrant gives it); c was never ours.
        assertThat(memberships(role)).containsExactly(b, c);
        assertThat(tablePrivileges(db, "t1", role)).containsExactly("SELECT");
        assertThat(tablePrivileges(db, "t2", role)).containsExactly("SELECT");
        assertThat(tablePrivileges(db, "t3", role)).containsExactly("SELECT");
        assertThat(second.getStatus().getApplied().getInRolesList()).isEmpty();
        assertThat(second.getStatus().getApplied().getPostgresGrantsList())
                .singleElement()
                .satisfies(grant -> {
                    assertThat(grant.getTablesList()).containsExactly("t1");
                    assertThat(grant.getPrivilegesList()).containsExactly("SELECT");
                });
        assertThat(harness.awaitEvents(1, "DatabaseRole/team-u/conv", "Normal Revoked"))
                .singleElement()
                .satisfies(event -> assertThat(event).contains("membership in " + a));

        // Nothing more to revoke: a resync changes nothing and sends no second event.
        harness.apply(role("team-u", "conv", "pg", role, "annotations: {touched: \"yes\"}")
                .replace("spec:\n", """
                spec:
                  postgres:
                    grants:
                      - {database: %s, schema: public, tables: [t1], privileges: [SELECT]}
                """.formatted(db)));
        harness.await("databaseroles", "team-u", "conv", readyAtGeneration());
        assertThat(harness.events("DatabaseRole/team-u/conv", "Normal Revoked")).hasSize(1);
    }

    @Test
    void aClusterRoleRevokesAMembershipItsSpecDrops() throws Exception {
        String instance = prefix.replace('_', '-');
        String role = prefix + "_cluster";
        String a = prefix + "_ca";
        postgresRoles.addAll(List.of(role, a));
        postgres("postgres", "CREATE ROLE " + id(a));
        harness.apply(GrantFixtures.clusterPostgresInstance(instance, "dbops-system"));
        String clusterRole = """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: ClusterDatabaseRole
                metadata: {name: %1$s}
                spec:
                  clusterInstanceRef: {name: %1$s}
                  roleName: %2$s
                  postgres: {inRoles: [%3$s]}
                """;
        harness.apply(clusterRole.formatted(instance, role, a));
        ClusterDatabaseRole first = harness.await("clusterdatabaseroles", "", instance, readyAtGeneration());
        assertThat(first.getStatus().getApplied().getClusterInstanceRef().getName())
                .isEqualTo(instance);
        assertThat(memberships(role)).containsExactly(a);

        harness.apply(
                clusterRole.formatted(instance, role, a).replace("postgres: {inRoles: [" + a + "]}", "postgres: {}"));
        ClusterDatabaseRole second = harness.await("clusterdatabaseroles", "", instance, readyAtGeneration());
        assertThat(second.getMetadata().getGeneration()).isEqualTo(2);
        assertThat(memberships(role)).isEmpty();
        assertThat(second.getStatus().getApplied().getInRolesList()).isEmpty();
        assertThat(harness.awaitEvents(1, "ClusterDatabaseRole/" + instance, "Normal Revoked"))
                .hasSize(1);
    }

    @Test
    void aMariaDbRoleRevokesWhatItsSpecDropsButNotWhatAnAdminGaveIt() throws Exception {
        mariadb("CREATE DATABASE " + id(prefix), "CREATE TABLE " + id(prefix) + ".t1 (id int)");
        harness.apply(GrantFixtures.mariadbInstance("team-v"));
        String name = prefix + "_conv";
        mariadbRoles.add(name);
        harness.apply(role("team-v", "conv", "maria", name, "").replace("spec:\n", """
                spec:
                  mysql:
                    grants:
                      - {level: database, database: %1$s, privileges: [SELECT, INSERT]}
                      - {level: table, database: %1$s, table: t1, privileges: [DELETE]}
                """.formatted(prefix)));
        harness.await("databaseroles", "team-v", "conv", readyAtGeneration());
        assertThat(databasePrivileges(name)).containsExactly("YYN");
        assertThat(mariadbRows("SELECT Table_priv FROM mysql.tables_priv WHERE user = ? AND db = ?", name, prefix))
                .containsExactly("Delete");
        mariadb("GRANT UPDATE ON " + id(prefix) + ".* TO " + id(name));

        harness.apply(role("team-v", "conv", "maria", name, "").replace("spec:\n", """
                spec:
                  mysql:
                    grants:
                      - {level: database, database: %s, privileges: [SELECT]}
                """.formatted(prefix)));
        DatabaseRole second = harness.await("databaseroles", "team-v", "conv", readyAtGeneration());
        assertThat(second.getMetadata().getGeneration()).isEqualTo(2);
        // SELECT stays, INSERT and the table's DELETE go, the UPDATE granted by hand stays.
        assertThat(databasePrivileges(name)).containsExactly("YNY");
        assertThat(mariadbRows("SELECT Table_priv FROM mysql.tables_priv WHERE user = ? AND db = ?", name, prefix))
                .isEmpty();
        assertThat(second.getStatus().getApplied().getMysqlGrantsList()).hasSize(1);
        assertThat(harness.awaitEvents(1, "DatabaseRole/team-v/conv", "Normal Revoked"))
                .singleElement()
                .satisfies(event -> assertThat(event).contains("2 privileges"));
    }

    /**
     * Drift on a PostgreSQL role: a membership a DatabaseGrant gives is not drift; a membership and a privilege
     * granted by hand are, and only a correction the role allows to be destructive revokes them — never what its
     * spec or the grant gives.
     */
    @Test
    void aDestructiveCorrectionRevokesWhatNothingDeclaresButNotWhatAGrantGives() throws Exception {
        SettableClock clock = new SettableClock(java.time.Instant.parse("2030-01-01T12:00:00Z"));
        harness.close();
        harness = new ReconcileHarness(dir.resolve("clocked"), DbopsControllers.Settings.DEFAULTS, clock);
        String db = prefix;
        String role = prefix + "_drift";
        String a = prefix + "_a";
        String b = prefix + "_b";
        String c = prefix + "_c";
        postgresDatabases.add(db);
        postgresRoles.addAll(List.of(role, a, b, c));
        postgres("postgres", "CREATE DATABASE " + id(db));
        postgres(db, "CREATE TABLE t1 (id int)");
        postgres("postgres", "CREATE ROLE " + id(a), "CREATE ROLE " + id(b), "CREATE ROLE " + id(c));
        harness.apply(DatabaseReconcileTest.postgresInstance("team-w"));
        String spec = """
                spec:
                  driftPolicy: {mode: %s, interval: 10s}
                  postgres:
                    inRoles: [%s]
                    grants:
                      - {database: %s, schema: public, tables: [t1], privileges: [SELECT]}
                """;
        harness.apply(role("team-w", "drift", "pg", role, "").replace("spec:\n", spec.formatted("detect", a, db)));
        harness.await("databaseroles", "team-w", "drift", readyAtGeneration());
        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseGrant
                metadata: {name: drift-b, namespace: team-w}
                spec:
                  roleRef: {name: drift}
                  deletionProtection: false
                  postgres: {roles: [%s]}
                """.formatted(b));
        harness.await("databasegrants", "team-w", "drift-b", readyAtGeneration());
        assertThat(memberships(role)).containsExactly(a, b);
        assertThat(checkDrift(clock, "drift").getStatus().getDrift().getDetected())
                .as("the grant's membership is not the role's drift")
                .isFalse();

        postgres("postgres", "GRANT " + id(c) + " TO " + id(role));
        postgres(db, "GRANT INSERT ON t1 TO " + id(role));
        assertThat(checkDrift(clock, "drift").getStatus().getDrift().getDiffsList())
                .extracting(d -> d.getField() + "=" + d.getActual())
                .containsExactlyInAnyOrder("inRoles.extra=" + c, "grants.table." + db + ".public.t1.extra=INSERT");

        // Correct, but not allowed to be destructive: kept.
        harness.apply(role("team-w", "drift", "pg", role, "").replace("spec:\n", spec.formatted("correct", a, db)));
        harness.await("databaseroles", "team-w", "drift", readyAtGeneration());
        checkDrift(clock, "drift");
        assertThat(memberships(role)).containsExactly(a, b, c);
        assertThat(tablePrivileges(db, "t1", role)).containsExactly("INSERT", "SELECT");

        // Allowed: what nothing declares goes.
        harness.apply(role(
                        "team-w",
                        "drift",
                        "pg",
                        role,
                        "annotations: {dbops.dbprovision.io/allow-destructive-drift: \"true\"}")
                .replace("spec:\n", spec.formatted("correct", a, db)));
        harness.await("databaseroles", "team-w", "drift", readyAtGeneration());
        DatabaseRole corrected = checkDrift(clock, "drift");
        assertThat(memberships(role)).containsExactly(a, b);
        assertThat(tablePrivileges(db, "t1", role)).containsExactly("SELECT");
        assertThat(corrected.getStatus().getDrift().getDetected()).isFalse();
        assertThat(harness.awaitEvents(1, "DatabaseRole/team-w/drift", "Normal Revoked"))
                .singleElement()
                .satisfies(event -> assertThat(event).contains("what nothing declares"));
    }

    /** Lets the role's next drift check run and waits for it. */
    private DatabaseRole checkDrift(SettableClock clock, String name) {
        long before = ((DatabaseRole) harness.get("databaseroles", "team-w", name))
                .getStatus()
                .getDrift()
                .getLastChecked()
                .getSeconds();
        clock.advance(java.time.Duration.ofMinutes(1));
        harness.nudge("databaseroles", "team-w", name);
        return harness.await(
                "databaseroles",
                "team-w",
                name,
                (DatabaseRole r) -> r.getStatus().getDrift().getLastChecked().getSeconds() > before);
    }

    /** The roles {@code role} is a member of, by name. */
    private static List<String> memberships(String role) throws Exception {
        return postgresRows(
                "postgres",
                "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
                        + " JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = ? ORDER BY 1",
                role);
    }

    /** The privileges granted on table {@code table} (in public) to {@code grantee} directly, sorted. */
    private static List<String> tablePrivileges(String database, String table, String grantee) throws Exception {
        return postgresRows(
                database,
                "SELECT a.privilege_type FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a"
                        + " JOIN pg_roles r ON r.oid = a.grantee"
                        + " WHERE c.relname = ? AND c.relnamespace = 'public'::regnamespace AND r.rolname = ?"
                        + " ORDER BY 1",
                table,
                grantee);
    }

    /** SELECT, INSERT, UPDATE of a MariaDB role on the test database, as Y/N. */
    private List<String> databasePrivileges(String role) throws Exception {
        return mariadbRows(
                "SELECT CONCAT(Select_priv, Insert_priv, Update_priv) FROM mysql.db WHERE user = ? AND db = ?",
                role,
                prefix);
    }
}
