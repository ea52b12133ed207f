package io.dbprovision.provisioner.engine.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.proto.v1alpha1.DefaultPrivilegeObjectType;
import io.dbprovision.provisioner.engine.cockroach.CockroachStatements;
import io.dbprovision.provisioner.testing.HostileStrings;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * Every hostile string of the corpus stays inside its quoting in every identifier and literal position of the
 * PostgreSQL and CockroachDB statements: the statement rendered with the hostile string has exactly the token shape
 * it has with a plain name, the hostile string being one identifier or literal token, and no comment appears.
 */
class PostgresQuotingPropertyTest {
    private static final DSLContext RENDER = DSL.using(SQLDialect.POSTGRES);
    private static final String PLAIN = "plainvalue";
    private static final Set<String> OBJECT_SHAPES =
            Set.of("grant table", "grant sequence", "grant function", "revoke table", "revoke grant option");

    /** Each shape with every identifier and literal position filled by the value. */
    private static Map<String, Function<String, Query>> shapes(PostgresStatements s) {
        return Map.ofEntries(
                Map.entry("create database", v -> s.createDatabase(v, new DatabaseOptions(v, v, v, v, v, v, 1, true))),
                Map.entry("alter owner", v -> s.alterDatabaseOwner(v, v)),
                Map.entry("terminate", s::terminateSessions),
                Map.entry("drop database", s::dropDatabase),
                Map.entry("extension", v -> s.createExtension(v, v, v)),
                Map.entry("extension version", v -> s.alterExtensionVersion(v, v)),
                Map.entry("schema", v -> s.createSchema(v, v)),
                Map.entry("schema owner", v -> s.alterSchemaOwner(v, v)),
                Map.entry(
                        "create role",
                        v -> s.createRole(v, RoleOptions.NONE.withLogin(true).withValidUntil(v), v)),
                Map.entry("alter role", v -> s.alterRole(v, RoleOptions.NONE.withValidUntil(v))),
                Map.entry("password", v -> s.alterRolePassword(v, v)),
                Map.entry("role setting", v -> s.alterRoleSet(v, "search_path", v)),
                Map.entry("membership", v -> s.grantRole(v, v)),
                Map.entry("revoke membership", v -> s.revokeRole(v, v)),
                Map.entry("reassign", v -> s.reassignOwned(v, v)),
                Map.entry("drop owned", s::dropOwned),
                Map.entry("drop role", s::dropRole),
                Map.entry("set role", s::setRole),
                Map.entry("grant database", v -> s.grant(Set.of("CONNECT"), GrantTarget.database(v), v, false)),
                Map.entry("grant schema", v -> s.grant(Set.of("USAGE"), GrantTarget.schema(v, v), v, true)),
                Map.entry(
                        "grant table",
                        v -> s.grant(Set.of("SELECT"), GrantTarget.object(GrantTarget.Kind.TABLE, v, v, v), v, true)),
                Map.entry(
                        "grant all tables",
                        v -> s.grant(
                                Set.of("SELECT"), GrantTarget.object(GrantTarget.Kind.TABLE, v, v, "*"), v, false)),
                Map.entry(
                        "grant sequence",
                        v -> s.grant(
                                Set.of("USAGE"), GrantTarget.object(GrantTarget.Kind.SEQUENCE, v, v, v), v, false)),
                Map.entry(
                        "grant function",
                        v -> s.grant(
                                Set.of("EXECUTE"), GrantTarget.object(GrantTarget.Kind.FUNCTION, v, v, v), v, false)),
                Map.entry(
                        "revoke table",
                        v -> s.revoke(Set.of("SELECT"), GrantTarget.object(GrantTarget.Kind.TABLE, v, v, v), v)),
                Map.entry(
                        "revoke grant option",
                        v -> s.revokeGrantOption(
                                Set.of("SELECT"), GrantTarget.object(GrantTarget.Kind.TABLE, v, v, v), v)),
                Map.entry(
                        "default privileges",
                        v -> s.grantDefaultPrivileges(
                                v,
                                v,
                                DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_TABLES,
                                Set.of("SELECT"),
                                v)),
                Map.entry(
                        "revoke default privileges",
                        v -> s.revokeDefaultPrivileges(
                                v,
                                v,
                                DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_TABLES,
                                Set.of("SELECT"),
                                v)));
    }

    @Provide
    Arbitrary<String> hostile() {
        // NUL and names over 63 bytes never reach a statement: PostgresLimits refuses them first (PostgresEngineTest).
        // They must not: jOOQ renders an identifier over 63 bytes as a generated alias_<hash>, another name.
        return Arbitraries.of(HostileStrings.fitting(63, false));
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void everyHostileStringStaysInsideItsQuotesOnPostgres(@ForAll("hostile") String value) {
        shapes(new PostgresStatements()).forEach((shape, build) -> assertSameShape(shape, build, value));
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void everyHostileStringStaysInsideItsQuotesOnCockroach(@ForAll("hostile") String value) {
        shapes(new CockroachStatements()).forEach((shape, build) -> assertSameShape(shape, build, value));
    }

    private static void assertSameShape(String shape, Function<String, Query> build, String value) {
        if (value.equals(GrantTarget.ALL) && OBJECT_SHAPES.contains(shape)) {
            return; // "*" as an object name means every object of the kind by definition (GrantTarget.ALL)
        }
        List<PostgresLexer.Token> plain = PostgresLexer.tokens(RENDER.renderInlined(build.apply(PLAIN)));
        List<PostgresLexer.Token> hostile = PostgresLexer.tokens(RENDER.renderInlined(build.apply(value)));
        assertThat(hostile).as(shape).hasSameSizeAs(plain);
        for (int i = 0; i < plain.size(); i++) {
            PostgresLexer.Token p = plain.get(i);
            PostgresLexer.Token h = hostile.get(i);
            assertThat(h.kind()).as(shape + " token " + i).isEqualTo(p.kind());
            if (p.value().equals(PLAIN) || p.value().equals(PLAIN.toUpperCase())) {
                assertThat(h.value()).as(shape + " token " + i).isEqualTo(value);
            } else {
                assertThat(h.value()).as(shape + " token " + i).isEqualTo(p.value());
            }
        }
    }
}
