package io.dbprovision.provisioner.engine.mysql;

import static io.dbprovision.provisioner.engine.mysql.MariaDbFixture.allowed;
import static io.dbprovision.provisioner.engine.mysql.MariaDbFixture.denied;
import static io.dbprovision.provisioner.engine.mysql.MariaDbFixture.root;
import static io.dbprovision.provisioner.engine.mysql.MariaDbFixture.rootList;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.CheckInstanceResponse;
import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.GrantSet;
import io.dbprovision.proto.engine.v1alpha1.ObserveDatabaseResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveGrantsResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveRoleResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveUserResponse;
import io.dbprovision.proto.engine.v1alpha1.RoleDefinition;
import io.dbprovision.proto.engine.v1alpha1.RunInitSqlResponse;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.MySQLAuthPlugin;
import io.dbprovision.proto.v1alpha1.MySQLDatabaseConfig;
import io.dbprovision.proto.v1alpha1.MySQLGrant;
import io.dbprovision.proto.v1alpha1.MySQLGrantConfig;
import io.dbprovision.proto.v1alpha1.MySQLGrantLevel;
import io.dbprovision.proto.v1alpha1.MySQLRoleConfig;
import io.dbprovision.proto.v1alpha1.MySQLUserConfig;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.jdbc.JdbcSession;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every operation of the MySQL engine against the real MariaDB 10.11, through JdbcSession, each twice. */
class MySqlEngineMariaDbTest {
    private static MariaDbFixture db;

    @BeforeAll
    static void open() {
        db = new MariaDbFixture();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @AfterEach
    void dropTestObjects() {
        for (String user : rootList("SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.user"
                + " WHERE User LIKE 'dbpmy\\_%' AND is_role = 'N'")) {
            root("DROP USER IF EXISTS " + user);
        }
        for (String role :
                rootList("SELECT QUOTE(User) FROM mysql.user WHERE User LIKE 'dbpmy\\_%' AND is_role = 'Y'")) {
            root("DROP ROLE IF EXISTS " + role);
        }
        for (String schema :
                rootList("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'dbpmy\\_%'")) {
            root("DROP DATABASE IF EXISTS `" + schema.replace("`", "``") + "`");
        }
    }

    @Test
    void checkInstanceReportsMariaDbWithSufficientAdminPrivileges() {
        CheckInstanceResponse check = db.observe(db.engine::check);
        assertThat(check.getDetectedEngine()).isEqualTo(EngineType.ENGINE_TYPE_MARIADB);
        assertThat(check.getVersionNumber()).startsWith("10.11");
        assertThat(check.getCapabilitiesList())
                .contains("roles", "mysql_native_password")
                .doesNotContain("caching_sha2_password");
        assertThat(check.getMissingPrivilegesList()).isEmpty();
        assertThat(check.getAdminPrivilegesSufficient()).isTrue();
        assertThat(check.getTlsInUse()).isFalse();
    }

    @Test
    void databaseIsCreatedOnceAlteredOnlyWhenItsCollationDiffersAndDroppedWithItsSessions() throws Exception {
        DatabaseDefinition binary = database("dbpmy_db", "utf8mb4", "utf8mb4_bin");
        db.twice(s -> db.engine.ensureDatabase(s, binary));
        ObserveDatabaseResponse observed = db.observe(s -> db.engine.observeDatabase(s, binary));
        assertThat(observed.getExists()).isTrue();
        assertThat(observed.getActual().getMysql().getCollation()).isEqualTo("utf8mb4_bin");
        assertThat(observed.getDiffsList()).isEmpty();

        DatabaseDefinition latin = database("dbpmy_db", "latin1", "latin1_swedish_ci");
        assertThat(db.observe(s -> db.engine.observeDatabase(s, latin)).getDiffsList())
                .extracting(d -> d.getField())
                .containsExactly("charset", "collation");
        ChangeResponse plan = db.change(true, s -> db.engine.ensureDatabase(s, latin));
        assertThat(plan.getChanged()).isTrue();
        assertThat(plan.getPlan(0).getSql()).startsWith("ALTER DATABASE `dbpmy_db` CHARACTER SET `latin1`");
        assertThat(db.observe(s -> db.engine.observeDatabase(s, binary)).getDiffsList())
                .as("validate_only")
                .isEmpty();
        db.twice(s -> db.engine.ensureDatabase(s, latin));
        assertThat(db.observe(s -> db.engine.observeDatabase(s, latin)).getDiffsList())
                .isEmpty();

        try (var open = java.sql.DriverManager.getConnection(MariaDbFixture.URL + "dbpmy_db", "root", "")) {
            ChangeResponse drop = db.twice(s -> db.engine.dropDatabase(s, "dbpmy_db"));
            assertThat(drop.getPlanList())
                    .extracting(p -> p.getSql())
                    .anyMatch(sql -> sql.startsWith("KILL CONNECTION"));
            assertThat(open.isValid(2)).as("its session was ended").isFalse();
        }
        assertThat(db.observe(s -> db.engine.observeDatabase(s, latin)).getExists())
                .isFalse();
    }

    @Test
    void aDatabaseOrUserTheCallCreatedComesWithTheStateObserveWouldTell() {
        DatabaseDefinition binary = database("dbpmy_db", "utf8mb4", "utf8mb4_bin");
        try (JdbcSession plan = new JdbcSession(db.instance, true, db.pools)) {
            assertThat(db.engine.ensureDatabase(plan, binary))
                    .as("validate_only")
                    .isEmpty();
        }
        var created = db.observe(s -> db.engine.ensureDatabase(s, binary));
        assertThat(created).contains(db.observe(s -> db.engine.observeDatabase(s, binary)));
        Optional<ObserveDatabaseResponse> again = db.observe(s -> db.engine.ensureDatabase(s, binary));
        assertThat(again).as("an existing database is observed by the caller").isEmpty();

        UserDefinition user = UserDefinition.newBuilder()
                .setName("dbpmy_u")
                .setPassword("first'Pass\\1")
                .setMysql(MySQLUserConfig.newBuilder().addAllowedHosts("%"))
                .build();
        try (JdbcSession plan = new JdbcSession(db.instance, true, db.pools)) {
            assertThat(db.engine.ensureUser(plan, user, false))
                    .as("validate_only")
                    .isEmpty();
        }
        var createdUser = db.observe(s -> db.engine.ensureUser(s, user, false));
        assertThat(createdUser).contains(db.observe(s -> db.engine.observeUser(s, user)));
        Optional<ObserveUserResponse> userAgain = db.observe(s -> db.engine.ensureUser(s, user, false));
        assertThat(userAgain).as("an existing user is observed by the caller").isEmpty();
    }

    @Test
    void userIsCreatedPerHostWithItsLimitsLockAndPasswordHashAndComparedByHash() {
        UserDefinition user = UserDefinition.newBuilder()
                .setName("dbpmy_u")
                .setPassword("first'Pass\\1")
                .setMysql(MySQLUserConfig.newBuilder()
                        .setAuthPlugin(MySQLAuthPlugin.MYSQL_AUTH_PLUGIN_CACHING_SHA2_PASSWORD)
                        .addAllowedHosts("%")
                        .addAllowedHosts("10.9.9.%")
                        .setMaxQueriesPerHour(1000)
                        .setMaxUserConnections(3)
                        .setRequireSsl(false)
                        .setAccountLocked(false))
                .build();
        ChangeResponse created = db.twice(s -> db.engine.ensureUser(s, user));
        assertThat(created.getNotesList()).anyMatch(n -> n.contains("caching_sha2_password does not exist on MariaDB"));
        assertThat(created.getPlanList())
                .extracting(p -> p.getSql())
                .contains(
                        "CREATE USER 'dbpmy_u'@'%' IDENTIFIED BY PASSWORD '<redacted>'",
                        "ALTER USER 'dbpmy_u'@'%' WITH MAX_QUERIES_PER_HOUR 1000 MAX_USER_CONNECTIONS 3")
                .noneMatch(sql -> sql.contains("first'Pass") || sql.contains("*"));
        assertThat(rootList("SELECT Host, max_questions, max_user_connections FROM mysql.user WHERE User = 'dbpmy_u'"))
                .containsExactlyInAnyOrder("%|1000|3", "10.9.9.%|1000|3");
        ObserveUserResponse observed = db.observe(s -> db.engine.observeUser(s, user));
        assertThat(observed.getDiffsList()).isEmpty();
        assertThat(observed.getActual().getPasswordMatches()).isTrue();
        allowed("dbpmy_u", "first'Pass\\1", "SELECT 1");

        UserDefinition rotated = user.toBuilder()
                .setPassword("second")
                .setMysql(user.getMysql().toBuilder().setAccountLocked(true).setMaxUserConnections(0))
                .build();
        assertThat(db.observe(s -> db.engine.observeUser(s, rotated)).getDiffsList())
                .extracting(d -> d.getField())
                .containsExactly("maxUserConnections", "accountLocked", "password");
        db.twice(s -> db.engine.ensureUser(s, rotated));
        assertThat(db.observe(s -> db.engine.observeUser(s, rotated)).getDiffsList())
                .isEmpty();
        denied("dbpmy_u", "second", "SELECT 1", 4151);
        db.twice(s -> db.engine.ensureUser(
                s,
                rotated.toBuilder()
                        .setMysql(rotated.getMysql().toBuilder().setAccountLocked(false))
                        .build()));
        allowed("dbpmy_u", "second", "SELECT 1");

        UserDefinition oneHost = rotated.toBuilder()
                .setMysql(rotated.getMysql().toBuilder()
                        .clearAllowedHosts()
                        .addAllowedHosts("%")
                        .clearAccountLocked())
                .build();
        ChangeResponse kept = db.change(false, s -> db.engine.ensureUser(s, oneHost));
        assertThat(kept.getChanged()).isFalse();
        assertThat(kept.getNotesList()).anyMatch(n -> n.contains("10.9.9.%") && n.contains("kept"));
        assertThat(db.observe(s -> db.engine.observeUser(s, oneHost)).getDiffsList())
                .anyMatch(d -> d.getField().equals("allowedHosts.extra") && d.getDestructive());

        db.twice(s -> db.engine.dropUser(s, "dbpmy_u", ""));
        assertThat(db.observe(s -> db.engine.observeUser(s, user)).getExists()).isFalse();
    }

    @Test
    void removeUnlistedHostsDropsTheAccountsOnHostsNoLongerListedAndOnlyWhenAskedFor() {
        UserDefinition twoHosts = UserDefinition.newBuilder()
                .setName("dbpmy_unlisted_hosts")
                .setPassword("pw")
                .setMysql(MySQLUserConfig.newBuilder().addAllowedHosts("%").addAllowedHosts("10.8.8.%"))
                .build();
        db.twice(s -> db.engine.ensureUser(s, twoHosts));
        UserDefinition oneHost = twoHosts.toBuilder()
                .setMysql(MySQLUserConfig.newBuilder().addAllowedHosts("%"))
                .build();

        ChangeResponse kept = db.change(false, s -> db.engine.ensureUser(s, oneHost, false));
        assertThat(kept.getChanged()).isFalse();
        assertThat(kept.getNotesList())
                .anyMatch(n -> n.contains("dbpmy_unlisted_hosts@10.8.8.%") && n.contains("kept"));
        assertThat(rootList("SELECT Host FROM mysql.user WHERE User = 'dbpmy_unlisted_hosts'"))
                .containsExactlyInAnyOrder("%", "10.8.8.%");

        ChangeResponse removed = db.twice(s -> db.engine.ensureUser(s, oneHost, true));
        assertThat(removed.getPlanList())
                .extracting(p -> p.getSql())
                .containsExactly("DROP USER IF EXISTS 'dbpmy_unlisted_hosts'@'10.8.8.%'");
        assertThat(removed.getNotesList()).noneMatch(n -> n.contains("kept"));
        assertThat(rootList("SELECT Host FROM mysql.user WHERE User = 'dbpmy_unlisted_hosts'"))
                .containsExactly("%");
        assertThat(db.observe(s -> db.engine.observeUser(s, oneHost)).getDiffsList())
                .noneMatch(d -> d.getField().startsWith("allowedHosts"));
        allowed("dbpmy_unlisted_hosts", "pw", "SELECT 1");
    }

    @Test
    void validateOnlyPlansWithoutChangingAnything() {
        UserDefinition user = UserDefinition.newBuilder()
                .setName("dbpmy_plan")
                .setPassword("pw")
                .build();
        ChangeResponse plan = db.change(true, s -> db.engine.ensureUser(s, user));
        assertThat(plan.getChanged()).isTrue();
        assertThat(plan.getPlanList()).hasSize(1);
        ChangeResponse dbPlan = db.change(true, s -> db.engine.ensureDatabase(s, database("dbpmy_plan", "", "")));
        assertThat(dbPlan.getPlan(0).getSql()).isEqualTo("create database if not exists `dbpmy_plan`");
        assertThat(rootList("SELECT User FROM mysql.user WHERE User = 'dbpmy_plan'"))
                .isEmpty();
        assertThat(rootList("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'dbpmy_plan'"))
                .isEmpty();
    }

    @Test
    void grantsAreEnforcedAtEveryLevelAndRevokedWhenAsked() {
        root(
                "CREATE DATABASE dbpmy_g",
                "CREATE TABLE dbpmy_g.t (a INT, b INT)",
                "CREATE TABLE dbpmy_g.t2 (a INT)",
                "CREATE PROCEDURE dbpmy_g.p() SELECT 1",
                "CREATE FUNCTION dbpmy_g.f() RETURNS INT DETERMINISTIC RETURN 7",
                "CREATE DATABASE dbpmy_r",
                "CREATE TABLE dbpmy_r.x (a INT)",
                "CREATE DATABASE dbpmy_w",
                "CREATE TABLE dbpmy_w.y (a INT)");
        db.twice(s -> db.engine.ensureUser(
                s,
                UserDefinition.newBuilder()
                        .setName("dbpmy_gu")
                        .setPassword("pw")
                        .build()));
        db.twice(s -> db.engine.ensureUser(
                s,
                UserDefinition.newBuilder()
                        .setName("dbpmy_gu2")
                        .setPassword("pw")
                        .build()));
        RoleDefinition role = RoleDefinition.newBuilder()
                .setName("dbpmy_role")
                .setMysql(MySQLRoleConfig.newBuilder()
                        .addGrants(grant(MySQLGrantLevel.MYSQL_GRANT_LEVEL_DATABASE, "dbpmy_r", "", "SELECT")))
                .build();
        db.twice(s -> db.engine.ensureRole(s, role));
        ObserveRoleResponse observedRole = db.observe(s -> db.engine.observeRole(s, role));
        assertThat(observedRole.getExists()).isTrue();
        assertThat(observedRole.getDiffsList()).isEmpty();

        denied("dbpmy_gu", "pw", "SELECT * FROM dbpmy_g.t", 1142);
        GrantSet set = GrantSet.newBuilder()
                .setGrantee("dbpmy_gu")
                .setMysql(MySQLGrantConfig.newBuilder()
                        .addRoles("dbpmy_role")
                        .addGrants(grant(MySQLGrantLevel.MYSQL_GRANT_LEVEL_TABLE, "dbpmy_g", "*", "SELECT"))
                        .addGrants(grant(MySQLGrantLevel.MYSQL_GRANT_LEVEL_TABLE, "dbpmy_g", "t", "INSERT"))
                        .addGrants(grant(MySQLGrantLevel.MYSQL_GRANT_LEVEL_COLUMN, "dbpmy_g", "t", "UPDATE").toBuilder()
                                .addColumns("b"))
                        .addGrants(MySQLGrant.newBuilder()
                                .setLevel(MySQLGrantLevel.MYSQL_GRANT_LEVEL_PROCEDURE)
                                .setDatabase("dbpmy_g")
                                .setProcedure("p")
                                .addPrivileges("EXECUTE"))
                        .addGrants(MySQLGrant.newBuilder()
                                .setLevel(MySQLGrantLevel.MYSQL_GRANT_LEVEL_FUNCTION)
                                .setDatabase("dbpmy_g")
                                .setFunction("f")
                                .addPrivileges("EXECUTE")
                                .setWithGrantOption(true)))
                .build();
        ChangeResponse applied = db.twice(s -> db.engine.applyGrants(s, set, false));
        assertThat(applied.getPlanList())
                .extracting(p -> p.getSql())
                .contains(
                        "GRANT SELECT ON `dbpmy_g`.* TO 'dbpmy_gu'@'%'",
                        "GRANT UPDATE (`b`) ON `dbpmy_g`.`t` TO 'dbpmy_gu'@'%'",
                        "SET DEFAULT ROLE 'dbpmy_role' FOR 'dbpmy_gu'@'%'");
        ObserveGrantsResponse observed = db.observe(s -> db.engine.observeGrants(s, set));
        assertThat(observed.getDiffsList()).isEmpty();
        assertThat(observed.getHeld().getMysql().getRolesList()).containsExactly("dbpmy_role");

        allowed("dbpmy_gu", "pw", "SELECT * FROM dbpmy_g.t");
        allowed("dbpmy_gu", "pw", "SELECT * FROM dbpmy_g.t2");
        allowed("dbpmy_gu", "pw", "INSERT INTO dbpmy_g.t (a, b) VALUES (1, 2)");
        denied("dbpmy_gu", "pw", "INSERT INTO dbpmy_g.t2 VALUES (1)", 1142);
        denied("dbpmy_gu", "pw", "DELETE FROM dbpmy_g.t", 1142);
        allowed("dbpmy_gu", "pw", "UPDATE dbpmy_g.t SET b = 3");
        denied("dbpmy_gu", "pw", "UPDATE dbpmy_g.t SET a = 3", 1143);
        allowed("dbpmy_gu", "pw", "CALL dbpmy_g.p()");
        allowed("dbpmy_gu", "pw", "SELECT dbpmy_g.f()");
        allowed("dbpmy_gu", "pw", "SELECT * FROM dbpmy_r.x");
        denied("dbpmy_gu", "pw", "SELECT * FROM dbpmy_w.y", 1142);
        denied("dbpmy_gu", "pw", "CREATE TABLE dbpmy_g.t3 (a INT)", 1142);
        allowed("dbpmy_gu", "pw", "GRANT EXECUTE ON FUNCTION dbpmy_g.f TO 'dbpmy_gu2'@'%'");
        denied("dbpmy_gu", "pw", "GRANT EXECUTE ON PROCEDURE dbpmy_g.p TO 'dbpmy_gu2'@'%'", 1370, 1044, 1142);

        GrantSet global = GrantSet.newBuilder()
                .setGrantee("dbpmy_gu")
                .setMysql(MySQLGrantConfig.newBuilder()
                        .addGrants(grant(MySQLGrantLevel.MYSQL_GRANT_LEVEL_GLOBAL, "", "", "CREATE")))
                .build();
        db.twice(s -> db.engine.applyGrants(s, global, false));
        allowed("dbpmy_gu", "pw", "CREATE TABLE dbpmy_w.t3 (a INT)");
        db.twice(s -> db.engine.revokeGrants(s, global));
        denied("dbpmy_gu", "pw", "CREATE TABLE dbpmy_w.t4 (a INT)", 1142);

        GrantSet withoutInsert = set.toBuilder()
                .setMysql(set.getMysql().toBuilder().removeGrants(1))
                .build();
        ObserveGrantsResponse extra = db.observe(s -> db.engine.observeGrants(
                s,
                set.toBuilder()
                        .setMysql(set.getMysql().toBuilder()
                                .setGrants(1, grant(MySQLGrantLevel.MYSQL_GRANT_LEVEL_TABLE, "dbpmy_g", "t", "DELETE")))
                        .build()));
        assertThat(extra.getDiffsList())
                .extracting(d -> d.getField())
                .contains("grants.dbpmy_g.t.missing", "grants.dbpmy_g.t.extra");
        assertThat(db.change(false, s -> db.engine.applyGrants(s, withoutInsert, false))
                        .getChanged())
                .isFalse();
        ChangeResponse pruned = db.change(
                false,
                s -> db.engine.applyGrants(
                        s,
                        set.toBuilder()
                                .setMysql(set.getMysql().toBuilder()
                                        .clearRoles()
                                        .setGrants(
                                                1,
                                                grant(
                                                        MySQLGrantLevel.MYSQL_GRANT_LEVEL_TABLE,
                                                        "dbpmy_g",
                                                        "t",
                                                        "DELETE")))
                                .build(),
                        true));
        assertThat(pruned.getPlanList())
                .extracting(p -> p.getSql())
                .contains(
                        "REVOKE INSERT ON `dbpmy_g`.`t` FROM 'dbpmy_gu'@'%'",
                        "REVOKE 'dbpmy_role' FROM 'dbpmy_gu'@'%'", "SET DEFAULT ROLE NONE FOR 'dbpmy_gu'@'%'");
        denied("dbpmy_gu", "pw", "INSERT INTO dbpmy_g.t (a, b) VALUES (1, 2)", 1142);
        denied("dbpmy_gu", "pw", "SELECT * FROM dbpmy_r.x", 1142);
        allowed("dbpmy_gu", "pw", "DELETE FROM dbpmy_g.t");

        db.twice(s -> db.engine.revokeGrants(
                s,
                set.toBuilder()
                        .setMysql(set.getMysql().toBuilder()
                                .setGrants(1, grant(MySQLGrantLevel.MYSQL_GRANT_LEVEL_TABLE, "dbpmy_g", "t", "DELETE")))
                        .build()));
        denied("dbpmy_gu", "pw", "SELECT * FROM dbpmy_g.t", 1142);
        denied("dbpmy_gu", "pw", "UPDATE dbpmy_g.t SET b = 3", 1142, 1143);
        denied("dbpmy_gu", "pw", "CALL dbpmy_g.p()", 1370);
        denied("dbpmy_gu", "pw", "SELECT dbpmy_g.f()", 1370);
        assertThat(db.observe(s -> db.engine.observeGrants(s, set))
                        .getHeld()
                        .getMysql()
                        .getGrantsList())
                .isEmpty();

        db.twice(s -> db.engine.dropRole(s, "dbpmy_role", ""));
    }

    @Test
    void emulatedRoleIsALockedAccount() {
        RoleDefinition role = RoleDefinition.newBuilder()
                .setName("dbpmy_emul")
                .setMysql(MySQLRoleConfig.newBuilder()
                        .setUseNativeRoles(false)
                        .addGrants(grant(MySQLGrantLevel.MYSQL_GRANT_LEVEL_GLOBAL, "", "", "PROCESS")))
                .build();
        db.twice(s -> db.engine.ensureRole(s, role));
        assertThat(rootList("SELECT Host, is_role, JSON_VALUE(Priv, '$.account_locked') FROM mysql.user"
                        + " JOIN mysql.global_priv USING (User, Host) WHERE User = 'dbpmy_emul'"))
                .containsExactly("%|N|1");
        assertThat(db.observe(s -> db.engine.observeRole(s, role)).getDiffsList())
                .isEmpty();
        db.twice(s -> db.engine.dropRole(s, "dbpmy_emul", ""));
    }

    @Test
    void initSqlRunsVerbatimInOrderAndStopsAtTheFirstFailure() {
        root("CREATE DATABASE dbpmy_init");
        List<String> statements = List.of(
                "CREATE TABLE x (v VARCHAR(20))",
                "INSERT INTO x VALUES ('{0} ?'), ('{x}')",
                "SELEKT broken",
                "INSERT INTO x VALUES ('never')");
        RunInitSqlResponse response = db.observe(s -> db.engine.runInitSql(s, "dbpmy_init", "", statements));
        assertThat(response.getStatementsExecuted()).isEqualTo(2);
        assertThat(response.getError()).contains("42000");
        assertThat(response.getHash()).isEqualTo(MySqlEngine.hash(statements)).hasSize(64);
        assertThat(rootList("SELECT v FROM dbpmy_init.x ORDER BY v")).containsExactly("{0} ?", "{x}");
    }

    @Test
    void namesTheEngineCannotHoldAreRefusedBeforeAnySql() {
        assertThatThrownBy(() ->
                        db.change(false, s -> db.engine.ensureDatabase(s, database("dbpmy_" + "x".repeat(60), "", ""))))
                .isInstanceOfSatisfying(
                        EngineException.InvalidDefinition.class,
                        e -> assertThat(e.field()).isEqualTo("database.name"));
        assertThatThrownBy(() -> db.change(
                        false,
                        s -> db.engine.ensureUser(
                                s,
                                UserDefinition.newBuilder()
                                        .setName("dbpmy_" + "u".repeat(80))
                                        .build())))
                .isInstanceOfSatisfying(
                        EngineException.InvalidDefinition.class,
                        e -> assertThat(e.field()).isEqualTo("user.name"));
        assertThatThrownBy(() -> db.change(
                        false,
                        s -> db.engine.applyGrants(
                                s,
                                GrantSet.newBuilder()
                                        .setGrantee("dbpmy_x")
                                        .setMysql(MySQLGrantConfig.newBuilder()
                                                .addGrants(grant(
                                                        MySQLGrantLevel.MYSQL_GRANT_LEVEL_TABLE,
                                                        "d",
                                                        "t",
                                                        "SELECT; DROP")))
                                        .build(),
                                false)))
                .isInstanceOfSatisfying(
                        EngineException.InvalidDefinition.class,
                        e -> assertThat(e.field()).isEqualTo("grants.mysql.grants[0].privileges[0]"));
        assertThatThrownBy(() -> db.change(
                        false,
                        s -> db.engine.ensureUser(
                                s,
                                UserDefinition.newBuilder()
                                        .setName("dbpmy_h")
                                        .setMysql(MySQLUserConfig.newBuilder().addAllowedHosts("h".repeat(256)))
                                        .build())))
                .isInstanceOfSatisfying(
                        EngineException.InvalidDefinition.class,
                        e -> assertThat(e.field()).isEqualTo("user.mysql.allowedHosts[0]"));
    }

    static DatabaseDefinition database(String name, String charset, String collation) {
        return DatabaseDefinition.newBuilder()
                .setName(name)
                .setMysql(MySQLDatabaseConfig.newBuilder().setCharset(charset).setCollation(collation))
                .build();
    }

    static MySQLGrant grant(MySQLGrantLevel level, String database, String table, String privilege) {
        return MySQLGrant.newBuilder()
                .setLevel(level)
                .setDatabase(database)
                .setTable(table)
                .addPrivileges(privilege)
                .build();
    }
}
