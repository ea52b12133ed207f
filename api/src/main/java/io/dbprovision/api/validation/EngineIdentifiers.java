package io.dbprovision.api.validation;

import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.Identifier;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Length and naming rules of engine-side identifiers, per engine. The schema's patterns already keep names to
 * letters, digits and underscores; these rules add what each engine refuses on top: PostgreSQL truncates at 63
 * bytes (NAMEDATALEN - 1) and reserves the {@code pg_} prefix for roles, MySQL keeps user names to 32 characters
 * and database names to 64, MariaDB allows 80-character user names, CockroachDB reserves its system users.
 */
public final class EngineIdentifiers {
    private static final Set<String> COCKROACH_RESERVED_USERS = Set.of("root", "admin", "public", "node", "none");
    private static final Set<String> POSTGRES_RESERVED_ROLES =
            Set.of("public", "none", "current_user", "session_user", "current_role");

    private EngineIdentifiers() {}

    /** The problem with an identifier on an engine, or empty when the engine accepts it. */
    public static Optional<String> problem(EngineType engine, Identifier kind, String name) {
        if (name.isEmpty() || kind == Identifier.IDENTIFIER_UNSPECIFIED) {
            return Optional.empty();
        }
        if (name.indexOf('\0') >= 0) {
            return Optional.of("must not contain NUL characters");
        }
        boolean principal = kind == Identifier.IDENTIFIER_USER || kind == Identifier.IDENTIFIER_ROLE;
        return switch (engine) {
            case ENGINE_TYPE_POSTGRES -> {
                if (bytes(name) > 63) {
                    yield Optional.of("must be at most 63 bytes on PostgreSQL");
                }
                if (principal && name.toLowerCase(Locale.ROOT).startsWith("pg_")) {
                    yield Optional.of("role names starting with pg_ are reserved on PostgreSQL");
                }
                if (principal && POSTGRES_RESERVED_ROLES.contains(name.toLowerCase(Locale.ROOT))) {
                    yield Optional.of("\"" + name + "\" is a reserved role name on PostgreSQL");
                }
                yield Optional.empty();
            }
            case ENGINE_TYPE_COCKROACHDB -> {
                if (bytes(name) > 63) {
                    yield Optional.of("must be at most 63 bytes on CockroachDB");
                }
                if (principal && COCKROACH_RESERVED_USERS.contains(name.toLowerCase(Locale.ROOT))) {
                    yield Optional.of("\"" + name + "\" is a reserved user name on CockroachDB");
                }
                yield Optional.empty();
            }
            case ENGINE_TYPE_MYSQL -> mysqlLike(kind, name, 32, "MySQL");
            case ENGINE_TYPE_MARIADB -> mysqlLike(kind, name, 80, "MariaDB");
            case ENGINE_TYPE_CLICKHOUSE ->
                name.length() > 255 ? Optional.of("must be at most 255 characters on ClickHouse") : Optional.empty();
            default -> Optional.empty();
        };
    }

    private static Optional<String> mysqlLike(Identifier kind, String name, int maxUser, String engine) {
        boolean principal = kind == Identifier.IDENTIFIER_USER || kind == Identifier.IDENTIFIER_ROLE;
        int max = principal ? maxUser : 64;
        if (name.codePointCount(0, name.length()) > max) {
            return Optional.of("must be at most " + max + " characters on " + engine);
        }
        if (name.endsWith(" ")) {
            return Optional.of("must not end with a space on " + engine);
        }
        return Optional.empty();
    }

    private static int bytes(String name) {
        return name.getBytes(StandardCharsets.UTF_8).length;
    }
}
