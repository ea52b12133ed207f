package io.dbprovision.provisioner.engine.postgres;

import io.dbprovision.api.validation.EngineIdentifiers;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.Identifier;
import io.dbprovision.provisioner.engine.EngineException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The engine's limits, checked before any SQL runs: names the engine cannot hold (NUL, more than 63 bytes, reserved
 * role names) and privileges outside the allowlist are refused as {@link EngineException.InvalidDefinition} naming
 * the request field. Names the engine creates get the full rules of {@link EngineIdentifiers}; names that only refer
 * to existing objects (memberships in pg_* roles, tables, functions) get the storage rules (NUL, length).
 */
final class PostgresLimits {
    private static final int MAX_BYTES = 63;
    private final EngineType engine;

    PostgresLimits(EngineType engine) {
        this.engine = engine;
    }

    /** A name this call may create: database, user, role or schema. */
    void name(String field, Identifier kind, String name) {
        if (name.isEmpty()) {
            throw new EngineException.InvalidDefinition(field, "must not be empty");
        }
        EngineIdentifiers.problem(engine, kind, name).ifPresent(problem -> {
            throw new EngineException.InvalidDefinition(field, problem);
        });
    }

    /** A name that refers to an existing object; empty allowed when {@code optional}. */
    void reference(String field, String name, boolean optional) {
        if (name.isEmpty()) {
            if (optional) {
                return;
            }
            throw new EngineException.InvalidDefinition(field, "must not be empty");
        }
        if (name.indexOf('\0') >= 0) {
            throw new EngineException.InvalidDefinition(field, "must not contain NUL characters");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new EngineException.InvalidDefinition(field, "must be at most 63 bytes");
        }
    }

    /** A literal (encoding, locale, setting value, version): PostgreSQL text cannot hold NUL. */
    void literal(String field, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new EngineException.InvalidDefinition(field, "must not contain NUL characters");
        }
    }

    void timestamp(String field, String value) {
        literal(field, value);
        try {
            OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw new EngineException.InvalidDefinition(field, "must be an RFC 3339 time such as 2027-01-01T00:00:00Z");
        }
    }

    /** Canonical privileges of a list, each from the allowlist; at least one. */
    Set<String> privileges(String field, List<String> privileges) {
        if (privileges.isEmpty()) {
            throw new EngineException.InvalidDefinition(field, "at least one privilege is needed");
        }
        Set<String> canonical = new LinkedHashSet<>();
        for (int i = 0; i < privileges.size(); i++) {
            int index = i;
            canonical.add(PostgresPrivileges.canonical(privileges.get(i))
                    .orElseThrow(() -> new EngineException.InvalidDefinition(
                            field + "[" + index + "]",
                            "not a PostgreSQL privilege (allowed: " + String.join(", ", sortedAllowed()) + ")")));
        }
        return canonical;
    }

    private static List<String> sortedAllowed() {
        return PostgresPrivileges.ALLOWED.stream().sorted().toList();
    }
}
