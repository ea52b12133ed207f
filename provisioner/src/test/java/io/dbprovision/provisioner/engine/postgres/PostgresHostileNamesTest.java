package io.dbprovision.provisioner.engine.postgres;

import static io.dbprovision.provisioner.engine.postgres.PostgresFixture.column;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.RoleDefinition;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.proto.v1alpha1.PostgresDatabaseConfig;
import io.dbprovision.proto.v1alpha1.PostgresDatabaseSchema;
import io.dbprovision.proto.v1alpha1.PostgresUserConfig;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.testing.HostileStrings;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile names on the real PostgreSQL: each creates exactly the object it names and nothing else (the catalog is
 * compared before and after), and the engine's limits refuse what PostgreSQL cannot hold before any SQL.
 */
class PostgresHostileNamesTest {
    private static final String PREFIX = "dbppg_";
    private static final PostgresFixture pg = new PostgresFixture();

    /**
     * A run killed half-way leaves its objects behind, and the catalog comparisons below would then count them twice:
     * only this test uses the prefix, so what carries it is dropped first.
     */
    @BeforeAll
    static void dropLeftovers() {
        for (String database : databases()) {
            PostgresFixture.admin("postgres", "DROP DATABASE IF EXISTS " + PostgresFixture.quoted(database));
        }
        for (String role : roles()) {
            PostgresFixture.admin("postgres", "DROP ROLE IF EXISTS " + PostgresFixture.quoted(role));
        }
    }

    @AfterAll
    static void close() {
        pg.close();
    }

    private static List<String> roles() {
        return column("postgres", "SELECT rolname FROM pg_roles WHERE starts_with(rolname, 'dbppg_') ORDER BY 1");
    }

    private static List<String> databases() {
        return column("postgres", "SELECT datname FROM pg_database WHERE starts_with(datname, 'dbppg_') ORDER BY 1");
    }

    @Test
    void everyHostileUserAndRoleNameCreatesExactlyThatRole() {
        List<String> before = roles();
        for (String name : HostileStrings.prefixed(PREFIX, 63, false)) {
            pg.change(
                    false,
                    s -> pg.engine.ensureUser(
                            s,
                            UserDefinition.newBuilder()
                                    .setName(name)
                                    .setPassword(name)
                                    .setPostgres(PostgresUserConfig.newBuilder()
                                            .putConfigParameters("application_name", name))
                                    .build()));
            assertThat(roles()).as(name).containsExactlyInAnyOrderElementsOf(plus(before, name));
            assertThat(column(
                            "postgres",
                            "SELECT unnest(setconfig) FROM pg_db_role_setting s"
                                    + " JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = ?",
                            name))
                    .containsExactly("application_name=" + name);
            assertThat(pg.engine
                            .observeUser(
                                    pg.session(false),
                                    UserDefinition.newBuilder()
                                            .setName(name)
                                            .setPassword(name)
                                            .build())
                            .getActual()
                            .getPasswordMatches())
                    .isTrue();
            pg.change(false, s -> pg.engine.dropUser(s, name, ""));
            assertThat(roles()).as(name).containsExactlyInAnyOrderElementsOf(before);

            String role = name.replaceFirst("^dbppg_", "dbppg_r");
            if (role.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 63) {
                pg.change(
                        false,
                        s -> pg.engine.ensureRole(
                                s, RoleDefinition.newBuilder().setName(role).build()));
                assertThat(roles()).as(role).containsExactlyInAnyOrderElementsOf(plus(before, role));
                pg.change(false, s -> pg.engine.dropRole(s, role, ""));
            }
        }
        assertThat(roles()).isEqualTo(before);
    }

    @Test
    void hostileDatabaseAndSchemaNamesCreateExactlyThoseObjects() {
        List<String> hostile = HostileStrings.prefixed(PREFIX, 63, false);
        List<String> before = databases();
        // CREATE DATABASE copies a template: a sample of the corpus keeps this test short.
        for (int i = 0; i < hostile.size(); i += 12) {
            String name = hostile.get(i);
            pg.change(
                    false,
                    s -> pg.engine.ensureDatabase(
                            s,
                            DatabaseDefinition.newBuilder()
                                    .setName(name)
                                    .setPostgres(PostgresDatabaseConfig.newBuilder()
                                            .addSchemas(PostgresDatabaseSchema.newBuilder()
                                                    .setName(name)))
                                    .build()));
            try {
                assertThat(databases()).as(name).containsExactlyInAnyOrderElementsOf(plus(before, name));
                assertOnlySchema(name);
            } finally {
                pg.change(false, s -> pg.engine.dropDatabase(s, name));
            }
            assertThat(databases()).as(name).containsExactlyInAnyOrderElementsOf(before);
        }
    }

    private static void assertOnlySchema(String name) {
        {
            try (var c = PostgresFixture.connect(name, "postgres");
                    var ps = c.prepareStatement("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%'"
                            + " AND nspname NOT IN ('public', 'information_schema')");
                    var rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(name);
                assertThat(rs.next()).as("exactly one new schema").isFalse();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void namesPostgresCannotHoldAreRefusedBeforeAnySql() {
        List<String> unfit = HostileStrings.all().stream()
                .filter(s -> s.indexOf('\0') >= 0 || s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63)
                .toList();
        assertThat(unfit).isNotEmpty();
        for (String name : unfit) {
            var session = pg.session(false);
            assertThatThrownBy(() -> pg.engine.ensureUser(
                            session, UserDefinition.newBuilder().setName(name).build()))
                    .isInstanceOf(EngineException.InvalidDefinition.class);
            assertThatThrownBy(() -> pg.engine.ensureDatabase(
                            session,
                            DatabaseDefinition.newBuilder().setName(name).build()))
                    .isInstanceOf(EngineException.InvalidDefinition.class);
            assertThat(session.result().getPlanList()).isEmpty();
        }
    }

    private static List<String> plus(List<String> list, String one) {
        return java.util.stream.Stream.concat(list.stream(), java.util.stream.Stream.of(one))
                .toList();
    }
}
