package io.dbprovision.provisioner.engine.mysql;

import io.dbprovision.provisioner.engine.mysql.PrivilegeScope.Level;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The privilege vocabulary of MySQL and MariaDB: the allowlist a requested privilege must be on (it is rendered as a
 * keyword, so the list is the injection guard of that position), which privileges each level takes, what ALL means
 * at each level, and how the grant tables spell each privilege (a {@code *_priv} column of mysql.user / mysql.db, or
 * an element of the SET columns of mysql.tables_priv, columns_priv and procs_priv).
 */
public final class MySqlPrivileges {
    public static final String ALL = "ALL";
    public static final String GRANT_OPTION = "GRANT OPTION";
    public static final String USAGE = "USAGE";

    private static final Set<String> TABLE_LEVEL = Set.of(
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "CREATE",
            "DROP",
            "REFERENCES",
            "INDEX",
            "ALTER",
            "CREATE VIEW",
            "SHOW VIEW",
            "TRIGGER",
            "DELETE HISTORY");
    private static final Set<String> DATABASE_ONLY =
            Set.of("CREATE TEMPORARY TABLES", "LOCK TABLES", "EXECUTE", "CREATE ROUTINE", "ALTER ROUTINE", "EVENT");
    private static final Set<String> GLOBAL_ONLY = Set.of(
            "RELOAD",
            "SHUTDOWN",
            "PROCESS",
            "FILE",
            "SHOW DATABASES",
            "SUPER",
            "REPLICATION SLAVE",
            "REPLICATION CLIENT",
            "CREATE USER",
            "CREATE TABLESPACE",
            "CREATE ROLE",
            "DROP ROLE");
    private static final Set<String> COLUMN_LEVEL = Set.of("SELECT", "INSERT", "UPDATE", "REFERENCES");
    private static final Set<String> ROUTINE_LEVEL = Set.of("EXECUTE", "ALTER ROUTINE");
    private static final Set<String> MARIADB_ONLY = Set.of("DELETE HISTORY");
    private static final Set<String> MYSQL_ONLY = Set.of("CREATE ROLE", "DROP ROLE");

    /** The *_priv columns of mysql.user and mysql.db, and the privilege each holds. */
    static final Map<String, String> PRIV_COLUMNS = Map.ofEntries(
            Map.entry("Select_priv", "SELECT"),
            Map.entry("Insert_priv", "INSERT"),
            Map.entry("Update_priv", "UPDATE"),
            Map.entry("Delete_priv", "DELETE"),
            Map.entry("Create_priv", "CREATE"),
            Map.entry("Drop_priv", "DROP"),
            Map.entry("Reload_priv", "RELOAD"),
            Map.entry("Shutdown_priv", "SHUTDOWN"),
            Map.entry("Process_priv", "PROCESS"),
            Map.entry("File_priv", "FILE"),
            Map.entry("Grant_priv", GRANT_OPTION),
            Map.entry("References_priv", "REFERENCES"),
            Map.entry("Index_priv", "INDEX"),
            Map.entry("Alter_priv", "ALTER"),
            Map.entry("Show_db_priv", "SHOW DATABASES"),
            Map.entry("Super_priv", "SUPER"),
            Map.entry("Create_tmp_table_priv", "CREATE TEMPORARY TABLES"),
            Map.entry("Lock_tables_priv", "LOCK TABLES"),
            Map.entry("Execute_priv", "EXECUTE"),
            Map.entry("Repl_slave_priv", "REPLICATION SLAVE"),
            Map.entry("Repl_client_priv", "REPLICATION CLIENT"),
            Map.entry("Create_view_priv", "CREATE VIEW"),
            Map.entry("Show_view_priv", "SHOW VIEW"),
            Map.entry("Create_routine_priv", "CREATE ROUTINE"),
            Map.entry("Alter_routine_priv", "ALTER ROUTINE"),
            Map.entry("Create_user_priv", "CREATE USER"),
            Map.entry("Event_priv", "EVENT"),
            Map.entry("Trigger_priv", "TRIGGER"),
            Map.entry("Create_tablespace_priv", "CREATE TABLESPACE"),
            Map.entry("Delete_history_priv", "DELETE HISTORY"),
            Map.entry("Create_role_priv", "CREATE ROLE"),
            Map.entry("Drop_role_priv", "DROP ROLE"));

    private MySqlPrivileges() {}

    /** Upper case, single spaces, ALL PRIVILEGES as ALL. */
    public static String normalize(String privilege) {
        String p = privilege.trim().replaceAll("\\s+", " ").toUpperCase(Locale.ROOT);
        return p.equals("ALL PRIVILEGES") ? ALL : p;
    }

    /** Why the privilege cannot be granted at this level on this flavor, or empty when it can. */
    public static Optional<String> problem(MySqlFlavor flavor, Level level, String normalized) {
        if (normalized.equals(ALL) || normalized.equals(GRANT_OPTION) || normalized.equals(USAGE)) {
            return level == Level.COLUMN && !normalized.equals(USAGE)
                    ? Optional.of(normalized + " cannot be granted on columns")
                    : Optional.empty();
        }
        boolean known = TABLE_LEVEL.contains(normalized)
                || DATABASE_ONLY.contains(normalized)
                || GLOBAL_ONLY.contains(normalized);
        if (!known) {
            return Optional.of("unknown privilege \"" + normalized + "\"");
        }
        if (flavor == MySqlFlavor.MYSQL && MARIADB_ONLY.contains(normalized)
                || flavor == MySqlFlavor.MARIADB && MYSQL_ONLY.contains(normalized)) {
            return Optional.of(
                    normalized + " does not exist on " + flavor.name().toLowerCase(Locale.ROOT));
        }
        if (!levelSet(flavor, level).contains(normalized)) {
            return Optional.of(
                    normalized + " cannot be granted at the " + level.name().toLowerCase(Locale.ROOT) + " level");
        }
        return Optional.empty();
    }

    /** What ALL grants at a level: the privileges the level takes (GRANT OPTION excluded). */
    public static Set<String> levelSet(MySqlFlavor flavor, Level level) {
        Set<String> set = new LinkedHashSet<>();
        switch (level) {
            case GLOBAL -> {
                set.addAll(TABLE_LEVEL);
                set.addAll(DATABASE_ONLY);
                set.addAll(GLOBAL_ONLY);
            }
            case DATABASE -> {
                set.addAll(TABLE_LEVEL);
                set.addAll(DATABASE_ONLY);
            }
            case TABLE -> set.addAll(TABLE_LEVEL);
            case COLUMN -> set.addAll(COLUMN_LEVEL);
            case PROCEDURE, FUNCTION -> set.addAll(ROUTINE_LEVEL);
        }
        set.removeAll(flavor == MySqlFlavor.MYSQL ? MARIADB_ONLY : MYSQL_ONLY);
        return set;
    }

    /** An element of a grant table's SET column ('Select', 'Show view', 'Grant', 'Delete versioning rows'). */
    public static String ofSetElement(String element) {
        String p = normalize(element);
        return switch (p) {
            case "GRANT" -> GRANT_OPTION;
            case "DELETE VERSIONING ROWS" -> "DELETE HISTORY";
            default -> p;
        };
    }
}
