package io.dbprovision.provisioner.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.provisioner.engine.mysql.MySqlLexer.Kind;
import io.dbprovision.provisioner.engine.mysql.MySqlLexer.Token;
import io.dbprovision.provisioner.engine.mysql.MySqlStatements.AuthMethod;
import io.dbprovision.provisioner.testing.HostileStrings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/**
 * Every hostile string of the corpus, in every identifier and literal position of {@link MySqlStatements}, on both
 * flavors, stays inside its quotes: the rendered statement tokenizes to the same token kinds as with a plain value,
 * and the one identifier or string token that holds the value decodes back to exactly it.
 */
class MySqlStatementsQuotingTest {
    static {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
    }

    private static final String PLAIN = "plainvalue";

    /** Each position: a statement with the value in one identifier or literal slot. */
    private static Map<String, Function<String, Query>> positions(MySqlStatements s) {
        Map<String, Function<String, Query>> p = new LinkedHashMap<>();
        Grantee.Account app = new Grantee.Account("app", "%");
        p.put("database", v -> s.createDatabase(v, "utf8mb4", "utf8mb4_bin"));
        p.put("alter database", v -> s.alterDatabase(v, "utf8mb4", ""));
        p.put("drop database", s::dropDatabase);
        p.put("user", v -> s.createUser(new Grantee.Account(v, "%")));
        p.put("host", v -> s.createUser(new Grantee.Account("app", v)));
        p.put("native hash", v -> s.createUser(app, AuthMethod.NATIVE_HASH, v));
        p.put("password", v -> s.alterPassword(app, AuthMethod.NATIVE_HASH, v));
        if (s.flavor() == MySqlFlavor.MYSQL) {
            p.put("sha2 password", v -> s.createUser(app, AuthMethod.CACHING_SHA2, v));
        }
        p.put("lock user", v -> s.alterLock(new Grantee.Account(v, "%"), true));
        p.put("drop user host", v -> s.dropUser(new Grantee.Account("app", v)));
        p.put("role", s::createRole);
        p.put("emulated role", s::createEmulatedRole);
        p.put("drop role", s::dropRole);
        p.put("granted role", v -> s.grantRole(v, app));
        p.put("role grantee", v -> s.grantRole("r", new Grantee.Role(v)));
        p.put("default role", v -> s.setDefaultRole(v, app));
        p.put("grant database", v -> s.grant(List.of("SELECT"), PrivilegeScope.database(v), app, false));
        p.put("grant table", v -> s.grant(List.of("SELECT"), PrivilegeScope.table("d", v), app, true));
        p.put("grant column", v -> s.grant(List.of("SELECT"), PrivilegeScope.column("d", "t", v), app, false));
        p.put("grant procedure", v -> s.grant(List.of("EXECUTE"), PrivilegeScope.procedure("d", v), app, false));
        p.put("revoke function", v -> s.revoke(List.of("EXECUTE"), PrivilegeScope.function(v, "f"), app));
        p.put("revoke grantee", v -> s.revokeGrantOption(PrivilegeScope.global(), new Grantee.Account(v, v)));
        p.put("use", s::use);
        p.put("set role", s::setRole);
        return p;
    }

    @Provide
    Arbitrary<String> hostile() {
        return Arbitraries.of(HostileStrings.all());
    }

    @Property(tries = 400)
    void everyHostileValueStaysInsideItsQuotesOnMariaDb(@ForAll("hostile") String value) {
        staysQuoted(MySqlFlavor.MARIADB, value);
    }

    @Property(tries = 400)
    void everyHostileValueStaysInsideItsQuotesOnMySql(@ForAll("hostile") String value) {
        staysQuoted(MySqlFlavor.MYSQL, value);
    }

    private static void staysQuoted(MySqlFlavor flavor, String value) {
        DSLContext render = DSL.using(flavor.dialect(), new Settings().withRenderFormatted(false));
        for (var position : positions(new MySqlStatements(flavor)).entrySet()) {
            List<Token> plain =
                    MySqlLexer.tokens(render.renderInlined(position.getValue().apply(PLAIN)));
            boolean identifier = plain.stream()
                    .anyMatch(t -> t.kind() == Kind.IDENTIFIER && t.value().equals(PLAIN));
            if (identifier && value.codePointCount(0, value.length()) > 64) {
                // MySqlDefinitions refuses longer identifiers before any SQL (and jOOQ would alias them).
                continue;
            }
            String sql = render.renderInlined(position.getValue().apply(value));
            List<Token> hostile = MySqlLexer.tokens(sql);
            assertThat(hostile)
                    .extracting(Token::kind)
                    .as("%s: %s", position.getKey(), sql)
                    .containsExactlyElementsOf(plain.stream().map(Token::kind).toList())
                    .doesNotContain(Kind.COMMENT, Kind.UNTERMINATED);
            for (int i = 0; i < plain.size(); i++) {
                Token p = plain.get(i);
                Token h = hostile.get(i);
                if (p.value().equals(PLAIN)) {
                    assertThat(h.value()).as("%s: %s", position.getKey(), sql).isEqualTo(value);
                } else {
                    assertThat(h.value()).as("%s: %s", position.getKey(), sql).isEqualTo(p.value());
                }
            }
        }
    }
}
