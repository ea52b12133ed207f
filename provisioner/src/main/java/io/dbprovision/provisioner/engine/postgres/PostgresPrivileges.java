package io.dbprovision.provisioner.engine.postgres;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The privilege allowlist of PostgreSQL and CockroachDB and which privileges each kind of object takes. A privilege
 * reaches SQL only as one of these constants, never as the caller's text, so the allowlist is also the injection
 * guard of the privilege position. {@code ALL} / {@code ALL PRIVILEGES} expand to the kind's concrete privileges, so
 * plans and diffs speak of what the catalog (aclexplode) reports.
 */
public final class PostgresPrivileges {
    /** Every privilege word a definition may use (TEMP and ALL PRIVILEGES are spellings of TEMPORARY and ALL). */
    public static final Set<String> ALLOWED = Set.of(
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "TRUNCATE",
            "REFERENCES",
            "TRIGGER",
            "CREATE",
            "CONNECT",
            "TEMPORARY",
            "TEMP",
            "EXECUTE",
            "USAGE",
            "MAINTAIN",
            "ALL",
            "ALL PRIVILEGES");

    static final Set<String> TABLE_PRIVILEGES =
            ordered("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN");

    private static final Map<GrantTarget.Kind, Set<String>> BY_KIND = Map.of(
            GrantTarget.Kind.DATABASE, ordered("CREATE", "CONNECT", "TEMPORARY"),
            GrantTarget.Kind.SCHEMA, ordered("USAGE", "CREATE"),
            GrantTarget.Kind.TABLE, TABLE_PRIVILEGES,
            GrantTarget.Kind.SEQUENCE, ordered("USAGE", "SELECT", "UPDATE"),
            GrantTarget.Kind.FUNCTION, ordered("EXECUTE"),
            GrantTarget.Kind.TYPE, ordered("USAGE"));

    private PostgresPrivileges() {}

    /** The canonical spelling (upper case, TEMP → TEMPORARY, ALL PRIVILEGES → ALL), or empty if not allowed. */
    public static Optional<String> canonical(String privilege) {
        String p = privilege.trim().replaceAll("\\s+", " ").toUpperCase(Locale.ROOT);
        if (!ALLOWED.contains(p)) {
            return Optional.empty();
        }
        return Optional.of(
                switch (p) {
                    case "TEMP" -> "TEMPORARY";
                    case "ALL PRIVILEGES" -> "ALL";
                    default -> p;
                });
    }

    /**
     * The concrete privileges a canonical privilege means on a kind of object: ALL expands (MAINTAIN only from
     * PostgreSQL 17), others stand for themselves; empty when the privilege does not apply to the kind.
     */
    public static Set<String> expand(String canonical, GrantTarget.Kind kind, int serverVersionNum) {
        Set<String> applicable = applicable(kind, serverVersionNum);
        if (canonical.equals("ALL")) {
            return applicable;
        }
        return applicable.contains(canonical) ? Set.of(canonical) : Set.of();
    }

    public static Set<String> applicable(GrantTarget.Kind kind, int serverVersionNum) {
        Set<String> all = new LinkedHashSet<>(BY_KIND.get(kind));
        if (serverVersionNum < 170000) {
            all.remove("MAINTAIN");
        }
        return all;
    }

    /** Orders privileges as PostgreSQL lists them, so plans and golden files are stable. */
    public static List<String> sorted(Set<String> privileges) {
        List<String> order = List.of(
                "SELECT",
                "INSERT",
                "UPDATE",
                "DELETE",
                "TRUNCATE",
                "REFERENCES",
                "TRIGGER",
                "MAINTAIN",
                "USAGE",
                "CREATE",
                "CONNECT",
                "TEMPORARY",
                "EXECUTE");
        return privileges.stream()
                .sorted((a, b) -> Integer.compare(order.indexOf(a), order.indexOf(b)))
                .toList();
    }

    private static Set<String> ordered(String... privileges) {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(privileges)));
    }
}
