package io.dbprovision.provisioner.engine.postgres;

import static io.dbprovision.provisioner.engine.postgres.PostgresFixture.admin;
import static io.dbprovision.provisioner.engine.postgres.PostgresFixture.column;
import static io.dbprovision.provisioner.engine.postgres.PostgresFixture.runAs;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.PlannedStatement;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import io.dbprovision.proto.v1alpha1.PostgresDatabaseConfig;
import io.dbprovision.proto.v1alpha1.PostgresDatabaseSchema;
import io.dbprovision.proto.v1alpha1.PostgresOwnershipConfig;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The auto-ownership pipeline (§5.1.6) against the real server: owner role, app user, default privileges both ways. */
class PostgresOwnershipTest {
    private static final String DB = "dbppg2_db";
    private static final String OWNER = "dbppg2_owner";
    private static final String APP = "dbppg2_app";
    private static final String SPEC_OWNER = "dbppg2_spec_owner";
    private final PostgresFixture pg = new PostgresFixture();

    @BeforeEach
    @AfterEach
    void clean() {
        admin(
                "postgres",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + DB + "'",
                "DROP DATABASE IF EXISTS " + DB);
        for (String role : List.of(APP, OWNER, SPEC_OWNER)) {
            admin("postgres", "DROP ROLE IF EXISTS " + role);
        }
    }

    @AfterEach
    void close() {
        pg.close();
    }

    private static DatabaseDefinition database() {
        return DatabaseDefinition.newBuilder()
                .setName(DB)
                .setOwner(SPEC_OWNER)
                .setPostgres(PostgresDatabaseConfig.newBuilder()
                        .addSchemas(PostgresDatabaseSchema.newBuilder().setName("dbppg2_s"))
                        .setOwnership(PostgresOwnershipConfig.newBuilder()
                                .setAutoOwnership(true)
                                .setRoleName(OWNER)
                                .setUserName(APP)))
                .build();
    }

    private static List<String> sql(ChangeResponse r) {
        return r.getPlanList().stream().map(PlannedStatement::getSql).toList();
    }

    private List<String> diffFields() {
        return pg.engine.observeDatabase(pg.session(false), database()).getDiffsList().stream()
                .map(DriftDiff::getField)
                .toList();
    }

    @Test
    void theDefaultNamesDeriveFromTheDatabaseAndAreCutTo63Bytes() {
        DatabaseDefinition d = DatabaseDefinition.newBuilder().setName("shop").build();
        assertThat(PostgresOwnership.ownerRole(d)).isEqualTo("db_shop_owner");
        assertThat(PostgresOwnership.appUser(d)).isEqualTo("db_shop_app");
        String longName = "x".repeat(63);
        DatabaseDefinition l = DatabaseDefinition.newBuilder().setName(longName).build();
        assertThat(PostgresOwnership.ownerRole(l)).hasSize(63).startsWith("db_xxx");
        assertThat(PostgresOwnership.cut("é".repeat(40))).hasSize(31);
    }

    @Test
    void ownerRoleAppUserAndDefaultPrivilegesAreEnsuredOnceAndObservedWithoutDiffs() {
        ChangeResponse first = pg.change(false, s -> pg.engine.ensureDatabase(s, database()));
        assertThat(first.getChanged()).isTrue();
        assertThat(sql(first))
                .startsWith("CREATE ROLE \"dbppg2_owner\" WITH NOLOGIN INHERIT")
                .contains(
                        "GRANT \"dbppg2_owner\" TO \"dbppg2_app\"",
                        "ALTER DEFAULT PRIVILEGES FOR ROLE \"dbppg2_owner\" IN SCHEMA \"public\" GRANT SELECT, INSERT,"
                                + " UPDATE, DELETE ON TABLES TO \"dbppg2_app\"",
                        "ALTER DEFAULT PRIVILEGES FOR ROLE \"dbppg2_app\" IN SCHEMA \"dbppg2_s\" GRANT SELECT, USAGE ON"
                                + " SEQUENCES TO \"dbppg2_owner\"",
                        "ALTER DEFAULT PRIVILEGES FOR ROLE \"dbppg2_app\" IN SCHEMA \"public\" GRANT EXECUTE ON"
                                + " FUNCTIONS TO \"dbppg2_owner\"");
        assertThat(sql(first).get(1)).startsWith("CREATE DATABASE \"dbppg2_db\" WITH OWNER = \"dbppg2_owner\"");
        assertThat(sql(first)).noneMatch(s -> s.contains(SPEC_OWNER));
        assertThat(first.getNotesList()).anyMatch(n -> n.contains(APP) && n.contains("without a password"));

        ChangeResponse second = pg.change(false, s -> pg.engine.ensureDatabase(s, database()));
        assertThat(second.getPlanList()).isEmpty();
        assertThat(second.getChanged()).isFalse();

        var observed = pg.engine.observeDatabase(pg.session(false), database());
        assertThat(observed.getDiffsList()).isEmpty();
        assertThat(observed.getActual().getOwner()).isEqualTo(OWNER);
        assertThat(column(DB, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'dbppg2_s'"))
                .containsExactly(OWNER);
        assertThat(column(
                        "postgres",
                        "SELECT rolcanlogin::text || rolinherit::text FROM pg_roles WHERE rolname = ?",
                        APP))
                .containsExactly("truetrue");

        // The app user logs in (no password: trust here) and creates objects it owns; the reverse default privileges
        // give the owner role the usual privileges on them.
        assertThat(runAs(DB, APP, "CREATE TABLE public.dbppg2_t (id serial PRIMARY KEY)"))
                .isNull();
        assertThat(runAs(DB, APP, "CREATE TABLE dbppg2_s.dbppg2_t2 (id int)")).isNull();
        assertThat(column(DB, "SELECT tableowner FROM pg_tables WHERE tablename = 'dbppg2_t'"))
                .containsExactly(APP);
        assertThat(column(
                        DB,
                        "SELECT has_table_privilege(?, 'public.dbppg2_t', 'SELECT, INSERT, UPDATE, DELETE')::text"
                                + " || has_sequence_privilege(?, 'public.dbppg2_t_id_seq', 'USAGE, SELECT')::text"
                                + " || has_table_privilege(?, 'dbppg2_s.dbppg2_t2', 'SELECT')::text",
                        OWNER,
                        OWNER,
                        OWNER))
                .containsExactly("truetruetrue");
        // Not through membership: the owner role is not a member of the app user.
        assertThat(column(DB, "SELECT pg_has_role(?, ?, 'MEMBER')::text", OWNER, APP))
                .containsExactly("false");

        // Drift: membership and one reverse default privilege gone, then reported and restored.
        admin("postgres", "REVOKE " + OWNER + " FROM " + APP);
        admin(
                DB,
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + APP + " IN SCHEMA public REVOKE DELETE ON TABLES FROM " + OWNER);
        assertThat(diffFields())
                .contains("ownership.membership.missing")
                .anyMatch(f -> f.startsWith("ownership.defaultPrivileges.missing." + OWNER + "."));
        ChangeResponse repair = pg.change(false, s -> pg.engine.ensureDatabase(s, database()));
        assertThat(sql(repair))
                .containsExactly(
                        "GRANT \"dbppg2_owner\" TO \"dbppg2_app\"",
                        "ALTER DEFAULT PRIVILEGES FOR ROLE \"dbppg2_app\" IN SCHEMA \"public\" GRANT DELETE ON TABLES"
                                + " TO \"dbppg2_owner\"");
        assertThat(diffFields()).isEmpty();

        // The tables the app user owns go before the roles can be dropped (clean() drops the database first).
        admin(DB, "DROP TABLE public.dbppg2_t, dbppg2_s.dbppg2_t2");
    }

    @Test
    void missingPiecesAreReportedAsOwnershipDiffs() {
        admin("postgres", "CREATE DATABASE " + DB);
        assertThat(diffFields())
                .contains("owner", "ownership.role.missing", "ownership.user.missing", "ownership.membership.missing")
                .anyMatch(f -> f.startsWith("ownership.defaultPrivileges.missing."));
        pg.change(false, s -> pg.engine.ensureDatabase(s, database()));
        assertThat(diffFields()).isEmpty();
    }
}
