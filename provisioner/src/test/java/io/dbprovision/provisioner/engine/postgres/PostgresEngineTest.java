package io.dbprovision.provisioner.engine.postgres;

import static io.dbprovision.provisioner.engine.postgres.PostgresFixture.admin;
import static io.dbprovision.provisioner.engine.postgres.PostgresFixture.column;
import static io.dbprovision.provisioner.engine.postgres.PostgresFixture.runAs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.GrantSet;
import io.dbprovision.proto.engine.v1alpha1.PlannedStatement;
import io.dbprovision.proto.engine.v1alpha1.RoleDefinition;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.proto.v1alpha1.DefaultPrivilegeObjectType;
import io.dbprovision.proto.v1alpha1.PostgresDatabaseConfig;
import io.dbprovision.proto.v1alpha1.PostgresDatabaseDefaultPrivilege;
import io.dbprovision.proto.v1alpha1.PostgresDatabaseExtension;
import io.dbprovision.proto.v1alpha1.PostgresDatabaseSchema;
import io.dbprovision.proto.v1alpha1.PostgresDefaultPrivilegeGrant;
import io.dbprovision.proto.v1alpha1.PostgresGrant;
import io.dbprovision.proto.v1alpha1.PostgresGrantConfig;
import io.dbprovision.proto.v1alpha1.PostgresRoleConfig;
import io.dbprovision.proto.v1alpha1.PostgresUserConfig;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.EngineSession;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every operation of the PostgreSQL engine against the real server, each twice, then observed; grants enforced. */
class PostgresEngineTest {
    private static final String DB = "dbppg_db1";
    private static final String OWNER = "dbppg_owner";
    private static final String APP = "dbppg_app";
    private static final String READER = "dbppg_reader";
    private static final String PASSWORD = "dbppg-S3cret'pw\\x";
    // One pool set per test: a test drops and recreates databases of the same name, whose pooled sessions end.
    private final PostgresFixture pg = new PostgresFixture();

    @BeforeEach
    @AfterEach
    void clean() {
        admin(
                "postgres",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + DB + "'",
                "DROP DATABASE IF EXISTS " + DB);
        for (String role : List.of(APP, READER, OWNER)) {
            admin("postgres", "DROP ROLE IF EXISTS " + role);
        }
    }

    @AfterEach
    void close() {
        pg.close();
    }

    /** The first call changes, the second changes nothing and plans nothing. */
    private ChangeResponse twice(Consumer<EngineSession> call) {
        ChangeResponse first = pg.change(false, call);
        assertThat(first.getChanged()).as("first call changes").isTrue();
        ChangeResponse second = pg.change(false, call);
        assertThat(second.getPlanList()).as("second call plans nothing").isEmpty();
        assertThat(second.getChanged()).isFalse();
        return first;
    }

    private static List<String> sql(ChangeResponse r) {
        return r.getPlanList().stream().map(PlannedStatement::getSql).toList();
    }

    private static DatabaseDefinition database() {
        return DatabaseDefinition.newBuilder()
                .setName(DB)
                .setOwner(OWNER)
                .setPostgres(PostgresDatabaseConfig.newBuilder()
                        .setEncoding("UTF8")
                        .setTemplate("template0")
                        .setConnectionLimit(20)
                        .addExtensions(PostgresDatabaseExtension.newBuilder()
                                .setName("pgcrypto")
                                .setSchema("public"))
                        .addSchemas(PostgresDatabaseSchema.newBuilder()
                                .setName("dbppg_s")
                                .setOwner(OWNER))
                        .addDefaultPrivileges(PostgresDatabaseDefaultPrivilege.newBuilder()
                                .setRole(READER)
                                .setSchema("dbppg_s")
                                .setObjectType(DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_TABLES)
                                .addPrivileges("SELECT")))
                .build();
    }

    private void roles() {
        admin("postgres", "CREATE ROLE " + OWNER + " NOLOGIN", "CREATE ROLE " + READER + " NOLOGIN");
    }

    @Test
    void aDatabaseIsCreatedOnceWithItsSettingsAndObservedWithoutDiffs() {
        roles();
        ChangeResponse plan = pg.change(true, s -> pg.engine.ensureDatabase(s, database()));
        assertThat(plan.getChanged()).isTrue();
        assertThat(sql(plan).get(0)).startsWith("CREATE DATABASE \"dbppg_db1\" WITH OWNER = \"dbppg_owner\"");
        assertThat(column("postgres", "SELECT datname FROM pg_database WHERE datname = ?", DB))
                .as("validate_only changes nothing")
                .isEmpty();

        ChangeResponse first = twice(s -> pg.engine.ensureDatabase(s, database()));
        assertThat(sql(first)).containsExactlyElementsOf(sql(plan));

        var observed = pg.engine.observeDatabase(pg.session(false), database());
        assertThat(observed.getExists()).isTrue();
        assertThat(observed.getDiffsList()).isEmpty();
        assertThat(observed.getActual().getOwner()).isEqualTo(OWNER);
        assertThat(observed.getActual().getPostgres().getConnectionLimit()).isEqualTo(20);

        // Drift: another owner and a dropped schema are seen, then corrected by the next ensure.
        admin(DB, "DROP SCHEMA dbppg_s CASCADE");
        admin("postgres", "ALTER DATABASE " + DB + " OWNER TO postgres");
        var drift = pg.engine.observeDatabase(pg.session(false), database());
        assertThat(drift.getDiffsList()).extracting(d -> d.getField()).contains("owner", "schemas.missing");
        assertThat(drift.getDiffsList().stream()
                        .filter(d -> d.getField().equals("owner"))
                        .findFirst()
                        .orElseThrow()
                        .getDestructive())
                .isTrue();
        pg.change(false, s -> pg.engine.ensureDatabase(s, database()));
        assertThat(pg.engine.observeDatabase(pg.session(false), database()).getDiffsList())
                .isEmpty();

        // Default privileges FOR ROLE owner TO reader work: a table the owner creates is readable by the reader.
        admin(DB, "SET ROLE " + OWNER, "CREATE TABLE dbppg_s.t1 (id int)");
        assertThat(column(DB, "SELECT has_table_privilege(?, 'dbppg_s.t1', 'SELECT')::text", READER))
                .containsExactly("true");

        ChangeResponse terminate = pg.change(false, s -> pg.engine.terminateConnections(s, DB));
        assertThat(terminate.getPlanList().size()).isLessThanOrEqualTo(1);
        ChangeResponse drop = twice(s -> pg.engine.dropDatabase(s, DB));
        assertThat(sql(drop)).last().isEqualTo("drop database if exists \"dbppg_db1\"");
        assertThat(column("postgres", "SELECT datname FROM pg_database WHERE datname = ?", DB))
                .isEmpty();
    }

    private static UserDefinition user(String password) {
        return UserDefinition.newBuilder()
                .setName(APP)
                .setPassword(password)
                .setPostgres(PostgresUserConfig.newBuilder()
                        .setConnectionLimit(5)
                        .setValidUntil("2099-01-01T00:00:00Z")
                        .setCreateDb(false)
                        .setInherit(true)
                        .setLogin(true)
                        .addInRoles(READER)
                        .putConfigParameters("statement_timeout", "5s"))
                .build();
    }

    @Test
    void aDatabaseOrUserTheCallCreatedComesWithTheStateObserveWouldTell() {
        DatabaseDefinition plain = DatabaseDefinition.newBuilder().setName(DB).build();
        assertThat(pg.engine.ensureDatabase(pg.session(true), plain))
                .as("validate_only")
                .isEmpty();
        var created = pg.engine.ensureDatabase(pg.session(false), plain).orElseThrow();
        var observed = pg.engine.observeDatabase(pg.session(false), plain);
        assertThat(created.getContentsNotRead()).isTrue();
        assertThat(observed.getContentsNotRead()).isFalse();
        assertThat(observed.getActual().getPostgres().getSchemasList())
                .extracting(PostgresDatabaseSchema::getName)
                .contains("public");
        assertThat(created.getDiffsList()).isEqualTo(observed.getDiffsList()).isEmpty();
        assertThat(created.getActual().getPostgres().getExtensionsList()).isEmpty();
        assertThat(created.getActual().getPostgres().getSchemasList()).isEmpty();
        var withoutContents = observed.getActual().toBuilder();
        withoutContents.getPostgresBuilder().clearExtensions().clearSchemas();
        assertThat(created.getActual().toBuilder().clearSizeBytes().build())
                .isEqualTo(withoutContents.clearSizeBytes().build());
        assertThat(pg.engine.ensureDatabase(pg.session(false), plain))
                .as("an existing database is observed by the caller")
                .isEmpty();

        // Something asked for inside the database: its state needs a read there, so the caller observes.
        clean();
        DatabaseDefinition withSchema = plain.toBuilder()
                .setPostgres(PostgresDatabaseConfig.newBuilder()
                        .addSchemas(PostgresDatabaseSchema.newBuilder().setName("dbppg_s")))
                .build();
        assertThat(pg.engine.ensureDatabase(pg.session(false), withSchema)).isEmpty();

        roles();
        assertThat(pg.engine.ensureUser(pg.session(true), user(PASSWORD), false))
                .as("validate_only")
                .isEmpty();
        var createdUser = pg.engine.ensureUser(pg.session(false), user(PASSWORD), false);
        assertThat(createdUser).contains(pg.engine.observeUser(pg.session(false), user(PASSWORD)));
        assertThat(createdUser.orElseThrow().getActual().getPasswordMatches()).isTrue();
        assertThat(pg.engine.ensureUser(pg.session(false), user(PASSWORD), false))
                .as("an existing user is observed by the caller")
                .isEmpty();
    }

    @Test
    void aUserIsCreatedWithAScramVerifierAndKeepsItUntilThePasswordChanges() {
        roles();
        ChangeResponse plan = pg.change(true, s -> pg.engine.ensureUser(s, user(PASSWORD)));
        assertThat(plan.toString())
                .doesNotContain(PASSWORD)
                .doesNotContain("SCRAM-SHA-256$")
                .contains("<redacted>");

        twice(s -> pg.engine.ensureUser(s, user(PASSWORD)));
        assertThat(column("postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = ?", APP)
                        .get(0))
                .startsWith("SCRAM-SHA-256$4096:");
        var observed = pg.engine.observeUser(pg.session(false), user(PASSWORD));
        assertThat(observed.getDiffsList()).isEmpty();
        assertThat(observed.getActual().getPasswordMatches()).isTrue();
        assertThat(observed.getActual().getPostgres().getInRolesList()).containsExactly(READER);
        assertThat(runAs("postgres", APP, "SELECT 1")).isNull();

        ChangeResponse newPassword = pg.change(false, s -> pg.engine.ensureUser(s, user(PASSWORD + "2")));
        assertThat(sql(newPassword)).containsExactly("ALTER ROLE \"dbppg_app\" WITH PASSWORD '<redacted>'");

        // An extra membership is destructive drift, never revoked by EnsureUser; RevokeGrants removes it.
        admin("postgres", "GRANT " + OWNER + " TO " + APP);
        var drift = pg.engine.observeUser(pg.session(false), user(PASSWORD + "2"));
        assertThat(drift.getDiffsList()).singleElement().satisfies(d -> {
            assertThat(d.getField()).isEqualTo("inRoles.extra");
            assertThat(d.getDestructive()).isTrue();
        });
        assertThat(pg.change(false, s -> pg.engine.ensureUser(s, user(PASSWORD + "2")))
                        .getChanged())
                .isFalse();
        GrantSet revoke = GrantSet.newBuilder()
                .setGrantee(APP)
                .setPostgres(PostgresGrantConfig.newBuilder().addRoles(OWNER))
                .build();
        twice(s -> pg.engine.revokeGrants(s, revoke));

        twice(s -> pg.engine.dropUser(s, APP, ""));
    }

    @Test
    void aRoleGetsItsAttributesMembershipsAndGrantsOnce() {
        roles();
        admin("postgres", "CREATE DATABASE " + DB);
        admin(DB, "CREATE TABLE public.t1 (id int)");
        RoleDefinition role = RoleDefinition.newBuilder()
                .setName("dbppg_group")
                .setPostgres(PostgresRoleConfig.newBuilder()
                        .setLogin(false)
                        .setCreateDb(true)
                        .addInRoles(READER)
                        .addGrants(PostgresGrant.newBuilder().setDatabase(DB).addPrivileges("CONNECT"))
                        .addGrants(PostgresGrant.newBuilder()
                                .setDatabase(DB)
                                .setSchema("public")
                                .addTables("*")
                                .addPrivileges("SELECT")))
                .build();
        try {
            twice(s -> pg.engine.ensureRole(s, role));
            var observed = pg.engine.observeRole(pg.session(false), role);
            assertThat(observed.getDiffsList()).isEmpty();
            assertThat(observed.getActual().getPostgres().getCreateDb()).isTrue();
            admin(DB, "CREATE TABLE public.t2 (id int)");
            assertThat(pg.engine.observeRole(pg.session(false), role).getDiffsList())
                    .extracting(d -> d.getField())
                    .containsExactly("grants.table.dbppg_db1.public.*.missing");
            twice(s -> pg.engine.ensureRole(s, role));
            twice(s -> pg.engine.dropRole(s, "dbppg_group", ""));
        } finally {
            if (!column("postgres", "SELECT 1 FROM pg_roles WHERE rolname = 'dbppg_group'")
                    .isEmpty()) {
                admin(DB, "DROP OWNED BY dbppg_group CASCADE");
                admin("postgres", "DROP OWNED BY dbppg_group CASCADE", "DROP ROLE dbppg_group");
            }
        }
    }

    private void grantFixture() {
        roles();
        admin("postgres", "CREATE DATABASE " + DB, "CREATE ROLE " + APP + " LOGIN");
        admin(
                DB,
                "REVOKE ALL ON DATABASE " + DB + " FROM PUBLIC",
                "CREATE SCHEMA dbppg_s AUTHORIZATION " + OWNER,
                "CREATE TABLE dbppg_s.t1 (id int)",
                "CREATE TABLE dbppg_s.t2 (id int)",
                "CREATE TABLE dbppg_s.t3 (id int)",
                "CREATE SEQUENCE dbppg_s.q1",
                "CREATE FUNCTION dbppg_s.f1() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                "REVOKE ALL ON FUNCTION dbppg_s.f1() FROM PUBLIC",
                "ALTER TABLE dbppg_s.t1 OWNER TO " + OWNER,
                "ALTER TABLE dbppg_s.t2 OWNER TO " + OWNER,
                "ALTER TABLE dbppg_s.t3 OWNER TO " + OWNER);
    }

    private static GrantSet grants() {
        return GrantSet.newBuilder()
                .setGrantee(APP)
                .setPostgres(PostgresGrantConfig.newBuilder()
                        .addRoles(READER)
                        .addGrants(PostgresGrant.newBuilder().setDatabase(DB).addPrivileges("CONNECT"))
                        .addGrants(PostgresGrant.newBuilder()
                                .setDatabase(DB)
                                .setSchema("dbppg_s")
                                .addPrivileges("USAGE"))
                        .addGrants(PostgresGrant.newBuilder()
                                .setDatabase(DB)
                                .setSchema("dbppg_s")
                                .addTables("*")
                                .addPrivileges("SELECT"))
                        .addGrants(PostgresGrant.newBuilder()
                                .setDatabase(DB)
                                .setSchema("dbppg_s")
                                .addTables("t1")
                                .addPrivileges("INSERT")
                                .setWithGrantOption(true))
                        .addGrants(PostgresGrant.newBuilder()
                                .setDatabase(DB)
                                .setSchema("dbppg_s")
                                .addSequences("q1")
                                .addPrivileges("USAGE"))
                        .addGrants(PostgresGrant.newBuilder()
                                .setDatabase(DB)
                                .setSchema("dbppg_s")
                                .addFunctions("f1")
                                .addPrivileges("EXECUTE"))
                        .addDefaultPrivileges(PostgresDefaultPrivilegeGrant.newBuilder()
                                .setDatabase(DB)
                                .setSchema("dbppg_s")
                                .setGrantedBy(OWNER)
                                .setObjectType(DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_TABLES)
                                .addPrivileges("UPDATE")))
                .build();
    }

    @Test
    void grantsAreEnforcedExactlyAndRevokedIncludingDefaultPrivileges() {
        grantFixture();
        assertThat(runAs(DB, APP, "SELECT 1")).as("no CONNECT yet").isEqualTo("42501");
        ChangeResponse plan = pg.change(true, s -> pg.engine.applyGrants(s, grants(), false));
        assertThat(pg.engine.observeGrants(pg.session(false), grants()).getDiffsList())
                .isNotEmpty();
        ChangeResponse applied = twice(s -> pg.engine.applyGrants(s, grants(), false));
        assertThat(sql(applied)).containsExactlyElementsOf(sql(plan));
        assertThat(sql(applied))
                .contains(
                        "GRANT CONNECT ON DATABASE \"dbppg_db1\" TO \"dbppg_app\"",
                        "GRANT USAGE ON SCHEMA \"dbppg_s\" TO \"dbppg_app\"",
                        "GRANT SELECT ON ALL TABLES IN SCHEMA \"dbppg_s\" TO \"dbppg_app\"",
                        "grant INSERT on \"dbppg_s\".\"t1\" to \"dbppg_app\" with grant option");
        assertThat(pg.engine.observeGrants(pg.session(false), grants()).getDiffsList())
                .isEmpty();

        // Exactly what was granted works ...
        assertThat(runAs(DB, APP, "SELECT * FROM dbppg_s.t1, dbppg_s.t2, dbppg_s.t3"))
                .isNull();
        assertThat(runAs(DB, APP, "INSERT INTO dbppg_s.t1 VALUES (1)")).isNull();
        assertThat(runAs(DB, APP, "SELECT nextval('dbppg_s.q1')")).isNull();
        assertThat(runAs(DB, APP, "SELECT dbppg_s.f1()")).isNull();
        assertThat(runAs(DB, APP, "GRANT INSERT ON dbppg_s.t1 TO " + READER))
                .as("with grant option")
                .isNull();
        // ... and one step beyond is denied.
        assertThat(runAs(DB, APP, "INSERT INTO dbppg_s.t2 VALUES (1)")).isEqualTo("42501");
        assertThat(runAs(DB, APP, "CREATE TABLE dbppg_s.mine (id int)")).isEqualTo("42501");
        // Passing on what came without grant option grants nothing (PostgreSQL only warns, 01007).
        assertThat(runAs(DB, APP, "GRANT SELECT ON dbppg_s.t2 TO " + READER)).isNull();
        assertThat(column(DB, "SELECT has_table_privilege(?, 'dbppg_s.t2', 'SELECT')::text", READER))
                .containsExactly("false");
        assertThat(column(DB, "SELECT has_table_privilege(?, 'dbppg_s.t1', 'INSERT')::text", READER))
                .containsExactly("true");
        // Default privileges: a table the owner creates later can be updated.
        admin(
                DB,
                "SET ROLE " + OWNER,
                "CREATE TABLE dbppg_s.later (id int)",
                "RESET ROLE",
                "GRANT SELECT ON dbppg_s.later TO " + APP);
        assertThat(runAs(DB, APP, "UPDATE dbppg_s.later SET id = 1")).isNull();
        assertThat(runAs(DB, APP, "DELETE FROM dbppg_s.later")).isEqualTo("42501");
        // Role membership: a privilege of the reader role arrives through it.
        admin(DB, "CREATE TABLE dbppg_s.readers (id int)", "GRANT SELECT ON dbppg_s.readers TO " + READER);
        assertThat(runAs(DB, APP, "SELECT * FROM dbppg_s.readers")).isNull();

        // revoke_unlisted: a set without the t1 grant and the default privileges takes them away.
        GrantSet smaller = grants().toBuilder()
                .setPostgres(grants().getPostgres().toBuilder().removeGrants(3).clearDefaultPrivileges())
                .build();
        var observed = pg.engine.observeGrants(pg.session(false), smaller);
        assertThat(observed.getDiffsList())
                .extracting(d -> d.getField())
                .contains(
                        "grants.table.dbppg_db1.dbppg_s.t1.extra",
                        "defaultPrivileges.dbppg_db1.dbppg_s.dbppg_owner.tables.extra");
        ChangeResponse trimmed = twice(s -> pg.engine.applyGrants(s, smaller, true));
        assertThat(sql(trimmed))
                .contains(
                        "ALTER DEFAULT PRIVILEGES FOR ROLE \"dbppg_owner\" IN SCHEMA \"dbppg_s\" REVOKE UPDATE ON TABLES FROM \"dbppg_app\"");
        assertThat(runAs(DB, APP, "INSERT INTO dbppg_s.t1 VALUES (1)")).isEqualTo("42501");
        admin(DB, "SET ROLE " + OWNER, "CREATE TABLE dbppg_s.later2 (id int)");
        assertThat(column(DB, "SELECT has_table_privilege(?, 'dbppg_s.later2', 'UPDATE')::text", APP))
                .containsExactly("false");

        // RevokeGrants removes everything the set lists, default privileges included.
        twice(s -> pg.engine.revokeGrants(s, grants()));
        assertThat(runAs(DB, APP, "SELECT 1")).isEqualTo("42501");
        assertThat(column(
                        DB,
                        "SELECT count(*) FROM pg_default_acl d, aclexplode(d.defaclacl) a"
                                + " WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = ?)",
                        APP))
                .containsExactly("0");
        twice(s -> pg.engine.dropUser(s, APP, ""));
    }

    /**
     * An owner's privileges on what it owns are not grants: a grant to the owner of a schema's tables neither sees
     * them as extra (drift) nor revokes them with revoke_unlisted — the owner keeps writing to its own tables.
     */
    @Test
    void anOwnersOwnPrivilegesAreNeitherDriftNorRevoked() {
        grantFixture();
        GrantSet toOwner = GrantSet.newBuilder()
                .setGrantee(OWNER)
                .setPostgres(PostgresGrantConfig.newBuilder()
                        .addGrants(PostgresGrant.newBuilder()
                                .setDatabase(DB)
                                .setSchema("dbppg_s")
                                .addPrivileges("USAGE"))
                        .addGrants(PostgresGrant.newBuilder()
                                .setDatabase(DB)
                                .setSchema("dbppg_s")
                                .addTables("*")
                                .addPrivileges("SELECT"))
                        .addGrants(PostgresGrant.newBuilder()
                                .setDatabase(DB)
                                .setSchema("dbppg_s")
                                .addTables("t1")
                                .addPrivileges("UPDATE")))
                .build();
        // The owner's schema and tables carry an ACL once anyone got a grant on them.
        admin(DB, "GRANT USAGE ON SCHEMA dbppg_s TO " + READER);
        admin(DB, "GRANT SELECT ON dbppg_s.t1 TO " + READER);
        pg.change(false, s -> pg.engine.applyGrants(s, toOwner, false));
        assertThat(pg.engine.observeGrants(pg.session(false), toOwner).getDiffsList())
                .isEmpty();
        ChangeResponse again = pg.change(false, s -> pg.engine.applyGrants(s, toOwner, true));
        assertThat(sql(again)).isEmpty();
        assertThat(column(DB, "SELECT has_table_privilege(?, 'dbppg_s.t1', 'INSERT')::text", OWNER))
                .containsExactly("true");
        assertThat(column(DB, "SELECT has_table_privilege(?, 'dbppg_s.t2', 'DELETE')::text", OWNER))
                .containsExactly("true");
        assertThat(column(DB, "SELECT has_schema_privilege(?, 'dbppg_s', 'CREATE')::text", OWNER))
                .containsExactly("true");
        // Revoking what a grant gave never takes an owner's own privileges.
        pg.change(false, s -> pg.engine.revokeGrants(s, toOwner));
        assertThat(column(DB, "SELECT has_table_privilege(?, 'dbppg_s.t1', 'UPDATE')::text", OWNER))
                .containsExactly("true");
        assertThat(column(DB, "SELECT has_schema_privilege(?, 'dbppg_s', 'USAGE')::text", OWNER))
                .containsExactly("true");
    }

    @Test
    void dropUserReassignsAndDropsWhatItOwnsInEveryDatabase() {
        grantFixture();
        admin(
                DB,
                "CREATE TABLE dbppg_s.owned (id int)",
                "ALTER TABLE dbppg_s.owned OWNER TO " + APP,
                "GRANT SELECT ON dbppg_s.t1 TO " + APP);
        var observed = pg.engine.observeUser(
                pg.session(false), UserDefinition.newBuilder().setName(APP).build());
        assertThat(observed.getOwnedObjectsList())
                .extracting(o -> o.getDatabase() + "/" + o.getName())
                .contains(DB + "/owned");
        ChangeResponse drop = twice(s -> pg.engine.dropUser(s, APP, OWNER));
        assertThat(drop.getPlanList()).extracting(PlannedStatement::getDatabase).contains(DB);
        assertThat(column(DB, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'owned'"))
                .containsExactly(OWNER);
    }

    @Test
    void initSqlRunsVerbatimAsTheRoleAndStopsAtTheFirstFailure() {
        roles();
        admin("postgres", "CREATE DATABASE " + DB + " OWNER " + OWNER);
        List<String> statements = List.of(
                "CREATE TABLE t (id int, doc jsonb)",
                "INSERT INTO t SELECT 1, '{\"a\": 1}'::jsonb WHERE '{\"a\":1}'::jsonb ? 'a'",
                "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT '{0} ? {x}' $$",
                "SELECT no_such_column FROM t",
                "CREATE TABLE never (id int)");
        var result = pg.engine.runInitSql(pg.session(false), DB, OWNER, statements);
        assertThat(result.getStatementsExecuted()).isEqualTo(3);
        assertThat(result.getError()).startsWith("SQLSTATE 42703");
        assertThat(result.getHash()).isEqualTo(PostgresEngine.hash(statements)).hasSize(64);
        assertThat(column(DB, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 't'"))
                .containsExactly(OWNER);
        assertThat(column(DB, "SELECT f()")).containsExactly("{0} ? {x}");
        assertThat(column(DB, "SELECT count(*) FROM t")).containsExactly("1");
        assertThat(column(DB, "SELECT relname FROM pg_class WHERE relname = 'never'"))
                .isEmpty();
    }

    @Test
    void checkInstanceReportsVersionCapabilitiesAndAdminPrivileges() {
        var check = pg.engine.check(pg.session(false));
        assertThat(check.getVersionNumber()).matches("\\d+\\.\\d+");
        assertThat(check.getAdminPrivilegesSufficient()).isTrue();
        assertThat(check.getCapabilitiesList()).contains("roles", "scram-sha-256", "default-privileges");
        assertThat(check.getTlsInUse()).isFalse();
    }

    @Test
    void namesTheEngineCannotHoldAndUnknownPrivilegesAreRefusedBeforeAnySql() {
        assertThatThrownBy(() -> pg.engine.ensureDatabase(
                        pg.session(false),
                        DatabaseDefinition.newBuilder()
                                .setName("dbppg_" + "x".repeat(60))
                                .build()))
                .isInstanceOfSatisfying(
                        EngineException.InvalidDefinition.class,
                        e -> assertThat(e.field()).isEqualTo("database.name"));
        assertThatThrownBy(() -> pg.engine.ensureUser(
                        pg.session(false),
                        UserDefinition.newBuilder().setName("dbppg_a\u0000b").build()))
                .isInstanceOfSatisfying(
                        EngineException.InvalidDefinition.class,
                        e -> assertThat(e.field()).isEqualTo("user.name"));
        GrantSet bad = GrantSet.newBuilder()
                .setGrantee(APP)
                .setPostgres(PostgresGrantConfig.newBuilder()
                        .addGrants(PostgresGrant.newBuilder().setDatabase(DB).addPrivileges("SELECT; DROP TABLE x")))
                .build();
        assertThatThrownBy(() -> pg.engine.applyGrants(pg.session(false), bad, false))
                .isInstanceOfSatisfying(
                        EngineException.InvalidDefinition.class,
                        e -> assertThat(e.field()).isEqualTo("grants.postgres.grants[0].privileges[0]"));
        GrantSet wrongLevel = GrantSet.newBuilder()
                .setGrantee(APP)
                .setPostgres(PostgresGrantConfig.newBuilder()
                        .addGrants(PostgresGrant.newBuilder().setDatabase(DB).addPrivileges("SELECT")))
                .build();
        assertThatThrownBy(() -> pg.engine.applyGrants(pg.session(false), wrongLevel, false))
                .isInstanceOf(EngineException.InvalidDefinition.class)
                .hasMessageContaining("SELECT does not apply to a database");
    }
}
