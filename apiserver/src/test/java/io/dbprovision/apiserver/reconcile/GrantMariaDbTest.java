package io.dbprovision.apiserver.reconcile;

import static io.dbprovision.apiserver.reconcile.EngineSql.asMariadbUser;
import static io.dbprovision.apiserver.reconcile.EngineSql.id;
import static io.dbprovision.apiserver.reconcile.EngineSql.mariadb;
import static io.dbprovision.apiserver.reconcile.EngineSql.mariadbRows;
import static io.dbprovision.apiserver.reconcile.EngineSql.quietly;
import static io.dbprovision.apiserver.reconcile.GrantFixtures.readyAtGeneration;
import static io.dbprovision.apiserver.reconcile.GrantFixtures.readyReason;
import static io.dbprovision.apiserver.reconcile.GrantFixtures.user;
import static io.dbprovision.apiserver.reconcile.GrantFixtures.userReady;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import io.dbprovision.proto.v1alpha1.GrantPhase;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DatabaseGrants on the local MariaDB, checked by logging in as the grantee: granted statements work, others are
 * denied (1142), a changed grant is followed, a role receives grants through roleRef, and deletion revokes.
 */
class GrantMariaDbTest {
    private static final String DENIED = "1142";
    private static final String PASSWORD = "Grant-test-pw-1";

    @TempDir
    Path dir;

    private ReconcileHarness harness;
    private final String prefix = "dbprg_" + UUID.randomUUID().toString().substring(0, 8);
    private final String db = prefix;
    private final String db2 = prefix + "_b";
    private final String username = prefix + "_u";
    private final String role = prefix + "_r";

    @BeforeEach
    void start() throws Exception {
        harness = new ReconcileHarness(dir);
        mariadb(
                "CREATE DATABASE " + id(db),
                "CREATE DATABASE " + id(db2),
                "CREATE TABLE " + id(db) + ".t1 (id int)",
                "CREATE TABLE " + id(db) + ".t2 (id int)",
                "CREATE TABLE " + id(db2) + ".t3 (id int)");
        try (var c = java.sql.DriverManager.getConnection(EngineSql.MARIADB, "root", "");
                var create = c.prepareStatement("CREATE USER " + id(username) + "@'%' IDENTIFIED BY ?")) {
            create.setString(1, PASSWORD);
            create.execute();
        }
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
        quietly(() -> mariadb("DROP DATABASE IF EXISTS " + id(db)));
        quietly(() -> mariadb("DROP DATABASE IF EXISTS " + id(db2)));
        quietly(() -> mariadb("DROP USER IF EXISTS " + id(username) + "@'%'"));
        quietly(() -> mariadb("DROP USER IF EXISTS " + id(username) + "@'127.0.0.1'"));
        quietly(() -> mariadb("DROP ROLE IF EXISTS " + id(role)));
    }

    private String grant(String name, String target, String mysqlBlock) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseGrant
                metadata: {name: %1$s, namespace: team-m}
                spec:
                  %2$s
                  deletionProtection: false
                  mysql:
                %3$s
                """.formatted(name, target, mysqlBlock.indent(4).stripTrailing());
    }

    private void instanceAndUser() {
        harness.apply(GrantFixtures.mariadbInstance("team-m"));
        harness.apply(user("team-m", "app-user", "instanceRef: {name: maria}", username));
        userReady(harness, "team-m", "app-user");
    }

    private String as(String sql) {
        return asMariadbUser(username, PASSWORD, sql);
    }

    @Test
    void aGrantToAUserIsAppliedFollowsItsChangesAndIsRevoked() throws Exception {
        instanceAndUser();
        harness.apply(grant("app-grant", "userRef: {name: app-user}", """
                grants:
                  - {level: table, database: %1$s, table: t1, privileges: [SELECT, INSERT]}
                  - {level: table, database: %1$s, table: t2, privileges: [SELECT]}
                """.formatted(db)));
        DatabaseGrant ready = harness.await("databasegrants", "team-m", "app-grant", readyAtGeneration());
        assertThat(ready.getStatus().getApplied().getGranteeHostsList()).containsExactly("%");
        assertThat(ready.getStatus().getAppliedGrants().getDirectGrants()).isEqualTo(2);
        assertThat(as("SELECT * FROM " + id(db) + ".t1")).isEmpty();
        assertThat(as("INSERT INTO " + id(db) + ".t1 VALUES (1)")).isEmpty();
        assertThat(as("SELECT * FROM " + id(db) + ".t2")).isEmpty();
        assertThat(as("DELETE FROM " + id(db) + ".t1")).isEqualTo(DENIED);
        assertThat(as("SELECT * FROM " + id(db2) + ".t3")).isEqualTo(DENIED);

        // Less on the first database (no INSERT, no t2), all tables of the second ("*": db2.*).
        harness.apply(grant("app-grant", "userRef: {name: app-user}", """
                grants:
                  - {level: table, database: %1$s, table: t1, privileges: [SELECT]}
                  - {level: table, database: %2$s, table: "*", privileges: [SELECT]}
                """.formatted(db, db2)));
        harness.await("databasegrants", "team-m", "app-grant", readyAtGeneration());
        assertThat(as("SELECT * FROM " + id(db) + ".t1")).isEmpty();
        assertThat(as("INSERT INTO " + id(db) + ".t1 VALUES (1)")).isEqualTo(DENIED);
        assertThat(as("SELECT * FROM " + id(db) + ".t2")).isEqualTo(DENIED);
        assertThat(as("SELECT * FROM " + id(db2) + ".t3")).isEmpty();
        assertThat(harness.awaitEvents(2, "DatabaseGrant/team-m/app-grant", "Normal Applied"))
                .hasSize(2);

        harness.delete("databasegrants", "team-m", "app-grant");
        Await.until("the grant goes", () -> !harness.exists("databasegrants", "team-m", "app-grant"));
        assertThat(as("SELECT * FROM " + id(db) + ".t1")).isEqualTo(DENIED);
        assertThat(as("SELECT * FROM " + id(db2) + ".t3")).isEqualTo(DENIED);
        assertThat(grantsOf(username, "%")).allMatch(g -> g.startsWith("GRANT USAGE"));
    }

    @Test
    void aRoleReceivesARoleRefGrantAndItsMembersUseIt() throws Exception {
        instanceAndUser();
        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseRole
                metadata: {name: readers, namespace: team-m}
                spec:
                  instanceRef: {name: maria}
                  roleName: %s
                """.formatted(role));
        harness.await("databaseroles", "team-m", "readers", readyAtGeneration());
        assertThat(mariadbRows("SELECT is_role FROM mysql.user WHERE user = ?", role))
                .containsExactly("Y");

        harness.apply(grant("readers-db", "roleRef: {name: readers}", """
                grants:
                  - {level: database, database: %s, privileges: [SELECT]}
                """.formatted(db)));
        harness.await("databasegrants", "team-m", "readers-db", readyAtGeneration());
        // Membership through a second grant, for the user: the role becomes its default role.
        harness.apply(grant("member", "userRef: {name: app-user}", "roles: [%s]".formatted(role)));
        harness.await("databasegrants", "team-m", "member", readyAtGeneration());
        assertThat(as("SELECT * FROM " + id(db) + ".t2")).isEmpty();
        assertThat(as("SELECT * FROM " + id(db2) + ".t3")).isEqualTo(DENIED);

        harness.delete("databasegrants", "team-m", "member");
        Await.until("the grant goes", () -> !harness.exists("databasegrants", "team-m", "member"));
        assertThat(as("SELECT * FROM " + id(db) + ".t2")).isEqualTo(DENIED);

        harness.delete("databaseroles", "team-m", "readers");
        harness.await("databaseroles", "team-m", "readers", readyReason("DependenciesExist"));
        harness.delete("databasegrants", "team-m", "readers-db");
        Await.until("the role goes", () -> !harness.exists("databaseroles", "team-m", "readers"));
        assertThat(mariadbRows("SELECT is_role FROM mysql.user WHERE user = ?", role))
                .isEmpty();
    }

    @Test
    void aGrantFollowsItsUsersHosts() throws Exception {
        instanceAndUser();
        try (var c = java.sql.DriverManager.getConnection(EngineSql.MARIADB, "root", "");
                var create = c.prepareStatement("CREATE USER " + id(username) + "@'127.0.0.1' IDENTIFIED BY ?")) {
            create.setString(1, PASSWORD);
            create.execute();
        }
        harness.apply(grant("hosts", "userRef: {name: app-user}", """
                grants:
                  - {level: table, database: %s, table: t1, privileges: [SELECT]}
                """.formatted(db)));
        harness.await("databasegrants", "team-m", "hosts", readyAtGeneration());
        assertThat(grantsOf(username, "%")).anyMatch(g -> g.startsWith("GRANT SELECT"));
        assertThat(grantsOf(username, "127.0.0.1")).noneMatch(g -> g.startsWith("GRANT SELECT"));

        // The user moves to the other host only: the grant follows without a change of its own.
        harness.apply(user("team-m", "app-user", "instanceRef: {name: maria}", username)
                + "  mysql: {allowedHosts: [\"127.0.0.1\"]}\n");
        harness.await(
                "databasegrants",
                "team-m",
                "hosts",
                (DatabaseGrant g) ->
                        g.getStatus().getApplied().getGranteeHostsList().equals(List.of("127.0.0.1"))
                                && g.getStatus().getPhase() == GrantPhase.GRANT_PHASE_READY);
        assertThat(grantsOf(username, "127.0.0.1")).anyMatch(g -> g.startsWith("GRANT SELECT"));
        assertThat(grantsOf(username, "%")).noneMatch(g -> g.startsWith("GRANT SELECT"));
    }

    @Test
    void aPrivilegeTheEngineRefusesFailsTheGrantWithItsMessage() throws Exception {
        instanceAndUser();
        // EXECUTE exists, but not on a table.
        harness.apply(grant("wrong", "userRef: {name: app-user}", """
                grants:
                  - {level: table, database: %s, table: t1, privileges: [EXECUTE]}
                """.formatted(db)));
        DatabaseGrant failed = harness.await(
                "databasegrants",
                "team-m",
                "wrong",
                (DatabaseGrant g) -> g.getStatus().getPhase() == GrantPhase.GRANT_PHASE_FAILED);
        assertThat(failed.getStatus().getMessage()).contains("EXECUTE");
        // A table that does not exist: MariaDB's own refusal.
        harness.apply(grant("missing", "userRef: {name: app-user}", """
                grants:
                  - {level: table, database: %s, table: nope, privileges: [SELECT]}
                """.formatted(db)));
        DatabaseGrant missing = harness.await(
                "databasegrants",
                "team-m",
                "missing",
                (DatabaseGrant g) -> g.getStatus().getPhase() == GrantPhase.GRANT_PHASE_FAILED);
        assertThat(missing.getStatus().getMessage()).containsIgnoringCase("nope");
        assertThat(missing.getStatus().getMessage()).doesNotContain(PASSWORD);
    }

    /** What the account {@code user@host} holds, as its rows in mysql.tables_priv and mysql.db say. */
    private static List<String> grantsOf(String user, String host) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (String privileges :
                mariadbRows("SELECT Table_priv FROM mysql.tables_priv WHERE User = ? AND Host = ?", user, host)) {
            if (!privileges.isEmpty()) {
                out.add("GRANT " + privileges.toUpperCase(java.util.Locale.ROOT) + " ON TABLE");
            }
        }
        for (String select : mariadbRows("SELECT Select_priv FROM mysql.db WHERE User = ? AND Host = ?", user, host)) {
            out.add(select.equals("Y") ? "GRANT SELECT ON DATABASE" : "GRANT USAGE ON DATABASE");
        }
        return out.isEmpty() ? List.of("GRANT USAGE") : out;
    }
}
