package io.dbprovision.provisioner.engine.postgres;

import io.dbprovision.api.kinds.PostgresGrantDriftFields;

/**
 * What one privilege applies to: a database, a schema, or one table, sequence or function of a schema; an object
 * named {@value #ALL} is every object of that kind in the schema (ON ALL TABLES IN SCHEMA ...). Also names the
 * drift field ({@link PostgresGrantDriftFields}).
 */
public record GrantTarget(Kind kind, String database, String schema, String object) {
    public static final String ALL = "*";

    public enum Kind {
        DATABASE("database"),
        SCHEMA("schema"),
        TABLE("table"),
        SEQUENCE("sequence"),
        FUNCTION("function"),
        TYPE("type");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    public static GrantTarget database(String database) {
        return new GrantTarget(Kind.DATABASE, database, "", "");
    }

    public static GrantTarget schema(String database, String schema) {
        return new GrantTarget(Kind.SCHEMA, database, schema, "");
    }

    public static GrantTarget object(Kind kind, String database, String schema, String object) {
        return new GrantTarget(kind, database, schema, object);
    }

    public boolean all() {
        return ALL.equals(object);
    }

    /** The database a statement on it runs in: database-level grants run on the admin connection. */
    public String runIn() {
        return kind == Kind.DATABASE ? "" : database;
    }

    /** {@code grants.table.app.public.orders}, {@code grants.schema.app.public}, {@code grants.database.app}. */
    public String field() {
        return switch (kind) {
            case DATABASE -> PostgresGrantDriftFields.database(database);
            case SCHEMA -> PostgresGrantDriftFields.schema(database, schema);
            default -> PostgresGrantDriftFields.object(kind.word(), database, schema, object);
        };
    }
}
