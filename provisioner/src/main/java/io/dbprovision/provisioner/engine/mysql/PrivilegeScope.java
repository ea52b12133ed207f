package io.dbprovision.provisioner.engine.mysql;

/**
 * What a set of privileges applies to: all databases ({@code *.*}), a database ({@code db.*}), a table, one column
 * of a table, or a stored procedure or function. The label names the scope in drift fields
 * ({@code grants.<label>.missing}): {@code *.*}, {@code db.*}, {@code db.t}, {@code db.t(c)}, {@code db.procedure:p},
 * {@code db.function:f}.
 */
public record PrivilegeScope(Level level, String database, String object, String column) {
    public enum Level {
        GLOBAL,
        DATABASE,
        TABLE,
        COLUMN,
        PROCEDURE,
        FUNCTION
    }

    public static PrivilegeScope global() {
        return new PrivilegeScope(Level.GLOBAL, "", "", "");
    }

    public static PrivilegeScope database(String database) {
        return new PrivilegeScope(Level.DATABASE, database, "", "");
    }

    public static PrivilegeScope table(String database, String table) {
        return new PrivilegeScope(Level.TABLE, database, table, "");
    }

    public static PrivilegeScope column(String database, String table, String column) {
        return new PrivilegeScope(Level.COLUMN, database, table, column);
    }

    public static PrivilegeScope procedure(String database, String name) {
        return new PrivilegeScope(Level.PROCEDURE, database, name, "");
    }

    public static PrivilegeScope function(String database, String name) {
        return new PrivilegeScope(Level.FUNCTION, database, name, "");
    }

    public String label() {
        return switch (level) {
            case GLOBAL -> "*.*";
            case DATABASE -> database + ".*";
            case TABLE -> database + "." + object;
            case COLUMN -> database + "." + object + "(" + column + ")";
            case PROCEDURE -> database + ".procedure:" + object;
            case FUNCTION -> database + ".function:" + object;
        };
    }
}
