package io.dbprovision.api.kinds;

import io.dbprovision.proto.v1alpha1.DefaultPrivilegeObjectType;

/**
 * The names under which PostgreSQL privileges appear in {@code status.drift.diffs[].field}. The provisioner reports
 * drift under them and the API server reads them back to take out what another grant accounts for, so both sides
 * build them here: a name changed on one side only would turn every such diff into drift that never goes away.
 *
 * <ul>
 *   <li>{@code grants.database.<db>}, {@code grants.schema.<db>.<schema>},
 *       {@code grants.<table|sequence|function|type>.<db>.<schema>.<object>} — an object {@code *} is every object
 *       of that kind in the schema;
 *   <li>{@code defaultPrivileges.<db>.<schema>.<creator>.<tables|sequences|functions|types>}.
 * </ul>
 *
 * A diff's field is one of these with {@code .extra}, {@code .missing} or {@code .grantOption.extra} after it.
 */
public final class PostgresGrantDriftFields {
    private PostgresGrantDriftFields() {}

    public static String database(String database) {
        return "grants.database." + database;
    }

    public static String schema(String database, String schema) {
        return "grants.schema." + database + "." + schema;
    }

    /** {@code kind} is the object kind's word: {@code table}, {@code sequence}, {@code function} or {@code type}. */
    public static String object(String kind, String database, String schema, String object) {
        return "grants." + kind + "." + database + "." + schema + "." + object;
    }

    public static String defaultPrivileges(
            String database, String schema, String creator, DefaultPrivilegeObjectType type) {
        return "defaultPrivileges." + database + "." + schema + "." + creator + "." + defaultsWord(type);
    }

    /** The plural word a default-privilege scope's object type is named by. */
    public static String defaultsWord(DefaultPrivilegeObjectType type) {
        return switch (type) {
            case DEFAULT_PRIVILEGE_OBJECT_TYPE_TABLES -> "tables";
            case DEFAULT_PRIVILEGE_OBJECT_TYPE_SEQUENCES -> "sequences";
            case DEFAULT_PRIVILEGE_OBJECT_TYPE_FUNCTIONS -> "functions";
            default -> "types";
        };
    }
}
