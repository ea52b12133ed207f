package io.dbprovision.apiserver.reconcile;

import static io.dbprovision.apiserver.reconcile.EngineSql.id;
import static io.dbprovision.apiserver.reconcile.EngineSql.mariadb;
import static io.dbprovision.apiserver.reconcile.EngineSql.mariadbRows;
import static io.dbprovision.apiserver.reconcile.EngineSql.postgresRows;
import static io.dbprovision.apiserver.reconcile.EngineSql.quietly;
import static io.dbprovision.apiserver.reconcile.GrantFixtures.readyAtGeneration;
import static io.dbprovision.apiserver.reconcile.GrantFixtures.readyReason;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.auth.delegated.Await;
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
 * drift in status, and deletion by the annotations (protection, Retain, Delete).
 */
class RoleReconcileTest {
    @TempDir
    Path dir;

    private ReconcileHarness harness;
    private final String prefix = "dbprg_" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> postgresRoles = new ArrayList<>();
    private final List<String> mariadbRoles = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        harness = new ReconcileHarness(dir);
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
        EngineSql.dropPostgres(List.of(), postgresRoles);
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
}
