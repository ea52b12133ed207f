package io.dbprovision.provisioner.engine.mysql;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import io.dbprovision.proto.engine.v1alpha1.OwnedObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * Reads what the MySQL/MariaDB server holds, every value the request names passed as a bind value: schemata, accounts
 * (mysql.user; MariaDB's lock flag from mysql.global_priv's JSON), privileges from the grant tables (mysql.user,
 * mysql.db, tables_priv, columns_priv, procs_priv and MySQL's global_grants), role memberships and default roles
 * (MariaDB roles_mapping and mysql.user.default_role; MySQL role_edges and default_roles), sessions for KILL and the
 * definers of views, routines, triggers and events.
 *
 * <p>The grant tables are read rather than information_schema's *_PRIVILEGES views because those name the grantee in
 * one string {@code 'u'@'h'} whose quotes are not escaped, and because MariaDB lists a role's global privileges only
 * in mysql.user. Matching the User and Host columns with bind values is exact for any name.
 */
public final class MySqlCatalog {
    /** One account row of mysql.user. */
    public record AccountRow(
            String host,
            String plugin,
            String authenticationString,
            String sslType,
            long maxQuestions,
            long maxUpdates,
            long maxConnections,
            long maxUserConnections,
            boolean locked,
            boolean role,
            String defaultRole) {}

    /** Privileges held in one scope, GRANT OPTION apart. */
    public record Held(Set<String> privileges, boolean grantOption) {}

    private final DSLContext ctx;
    private final MySqlFlavor flavor;

    public MySqlCatalog(DSLContext ctx, MySqlFlavor flavor) {
        this.ctx = ctx;
        this.flavor = flavor;
    }

    public static String version(DSLContext ctx) {
        return ctx.fetchValue("SELECT VERSION()").toString();
    }

    /**
     * The version the server announced when the connection was made (Connector/J keeps it; MariaDB's carries a
     * {@code 5.5.5-} prefix before its own version and names itself): enough to tell the flavor without a round
     * trip, not for showing the version ({@link #version} is).
     */
    public static String handshakeVersion(DSLContext ctx) {
        return ctx.connectionResult(c -> c.getMetaData().getDatabaseProductVersion());
    }

    // ---- databases

    /** DEFAULT_CHARACTER_SET_NAME and DEFAULT_COLLATION_NAME of a schema, if it exists. */
    public Optional<String[]> schema(String database) {
        Record r = ctx.select(
                        field(name("DEFAULT_CHARACTER_SET_NAME"), String.class),
                        field(name("DEFAULT_COLLATION_NAME"), String.class))
                .from(table(name("information_schema", "SCHEMATA")))
                .where(field(name("SCHEMA_NAME"), String.class).eq(database))
                .fetchOne();
        return r == null
                ? Optional.empty()
                : Optional.of(new String[] {r.get(0, String.class), r.get(1, String.class)});
    }

    public long sizeBytes(String database) {
        Object v = ctx.select(
                        DSL.sum(field(name("DATA_LENGTH"), Long.class).plus(field(name("INDEX_LENGTH"), Long.class))))
                .from(table(name("information_schema", "TABLES")))
                .where(field(name("TABLE_SCHEMA"), String.class).eq(database))
                .fetchOne(0);
        return v == null ? 0 : ((Number) v).longValue();
    }

    /** Ids of the sessions using the database, except the reading connection itself. */
    public List<Long> sessions(String database) {
        return ctx.select(field(name("ID"), Long.class))
                .from(table(name("information_schema", "PROCESSLIST")))
                .where(field(name("DB"), String.class).eq(database))
                .and(field(name("ID"), Long.class).ne(field("CONNECTION_ID()", Long.class)))
                .fetch(0, Long.class);
    }

    // ---- accounts

    /**
     * Every row of mysql.user with this User, roles included (MariaDB marks them is_role). MariaDB keeps ACCOUNT LOCK
     * only in mysql.global_priv's JSON (its mysql.user view has no column for it), joined in the same query.
     */
    public List<AccountRow> accounts(String user) {
        boolean maria = flavor == MySqlFlavor.MARIADB;
        Table<?> u = table(name("mysql", "user")).as("u");
        Field<String> host = field(name("u", "Host"), String.class);
        List<Field<?>> fields = new ArrayList<>(List.of(
                host,
                field(name("u", "plugin"), String.class),
                field(name("u", "authentication_string"), String.class),
                field(name("u", "ssl_type"), String.class),
                field(name("u", "max_questions"), Long.class),
                field(name("u", "max_updates"), Long.class),
                field(name("u", "max_connections"), Long.class),
                field(name("u", "max_user_connections"), Long.class)));
        if (maria) {
            fields.add(field(name("u", "is_role"), String.class));
            fields.add(field(name("u", "default_role"), String.class));
            fields.add(field("JSON_VALUE({0}, '$.account_locked')", String.class, field(name("g", "Priv"))));
        } else {
            fields.add(field(name("u", "account_locked"), String.class));
        }
        Condition byUser = field(name("u", "User"), String.class).eq(user);
        var query = maria
                ? ctx.select(fields)
                        .from(u)
                        .leftJoin(table(name("mysql", "global_priv")).as("g"))
                        .on(field(name("g", "User"), String.class)
                                .eq(field(name("u", "User"), String.class))
                                .and(field(name("g", "Host"), String.class).eq(host)))
                        .where(byUser)
                        .orderBy(host)
                : ctx.select(fields).from(u).where(byUser).orderBy(host);
        List<AccountRow> rows = new ArrayList<>();
        for (Record r : query.fetch()) {
            String locked = maria ? r.get(10, String.class) : r.get(8, String.class);
            rows.add(new AccountRow(
                    r.get(0, String.class),
                    nz(r.get(1, String.class)),
                    nz(r.get(2, String.class)),
                    nz(r.get(3, String.class)),
                    nzl(r.get(4, Long.class)),
                    nzl(r.get(5, Long.class)),
                    nzl(r.get(6, Long.class)),
                    nzl(r.get(7, Long.class)),
                    maria ? "true".equalsIgnoreCase(locked) || "1".equals(locked) : "Y".equals(locked),
                    maria && "Y".equals(r.get(8, String.class)),
                    maria ? nz(r.get(9, String.class)) : ""));
        }
        return rows;
    }

    // ---- privileges

    /**
     * Everything the grantee holds, by scope: mysql.user and mysql.db (every column read; the *_priv ones a server has
     * differ by flavor and version and are picked by name), then tables_priv, columns_priv and procs_priv in one
     * query.
     */
    public Map<PrivilegeScope, Held> grants(Grantee grantee) {
        Map<PrivilegeScope, Held> held = new LinkedHashMap<>();
        Condition who = field(name("User"), String.class)
                .eq(grantee.user())
                .and(field(name("Host"), String.class).eq(grantee.host()));
        for (Record r :
                ctx.select().from(table(name("mysql", "user"))).where(who).fetch()) {
            put(held, PrivilegeScope.global(), fromColumns(r));
        }
        if (flavor == MySqlFlavor.MYSQL) {
            mysqlDynamicPrivileges(grantee, held);
        }
        Field<String> db = field(name("Db"), String.class);
        for (Record r : ctx.select().from(table(name("mysql", "db"))).where(who).fetch()) {
            put(held, PrivilegeScope.database(r.get(db)), fromColumns(r));
        }
        Field<String> kind = field(name("kind"), String.class);
        Field<String> object = field(name("object"), String.class);
        Field<String> column = field(name("column"), String.class);
        Field<String> privileges = field(name("privileges"), String.class);
        Field<String> tableName = field(name("Table_name"), String.class);
        Field<String> routineType = field(name("Routine_type"), String.class);
        for (Record r : ctx.select(
                        DSL.inline("TABLE").as(kind),
                        db,
                        tableName.as(object),
                        DSL.inline((String) null).as(column),
                        DSL.cast(field(name("Table_priv")), String.class).as(privileges))
                .from(table(name("mysql", "tables_priv")))
                .where(who)
                .unionAll(DSL.select(
                                DSL.inline("COLUMN").as(kind),
                                db,
                                tableName.as(object),
                                field(name("Column_name"), String.class).as(column),
                                DSL.cast(field(name("Column_priv")), String.class)
                                        .as(privileges))
                        .from(table(name("mysql", "columns_priv")))
                        .where(who))
                .unionAll(DSL.select(
                                DSL.cast(routineType, String.class).as(kind),
                                db,
                                field(name("Routine_name"), String.class).as(object),
                                DSL.inline((String) null).as(column),
                                DSL.cast(field(name("Proc_priv")), String.class).as(privileges))
                        .from(table(name("mysql", "procs_priv")))
                        .where(who))
                .fetch()) {
            Held h = fromSet(r.get(4, String.class));
            String database = r.get(1, String.class);
            String name = r.get(2, String.class);
            switch (r.get(0, String.class).toUpperCase(Locale.ROOT)) {
                case "TABLE" -> {
                    if (!h.privileges().isEmpty() || h.grantOption()) {
                        put(held, PrivilegeScope.table(database, name), h);
                    }
                }
                case "COLUMN" -> put(held, PrivilegeScope.column(database, name, r.get(3, String.class)), h);
                case "FUNCTION" -> put(held, PrivilegeScope.function(database, name), h);
                default -> put(held, PrivilegeScope.procedure(database, name), h);
            }
        }
        return held;
    }

    private void mysqlDynamicPrivileges(Grantee grantee, Map<PrivilegeScope, Held> held) {
        for (Record r : ctx.select(field(name("PRIV"), String.class), field(name("WITH_GRANT_OPTION"), String.class))
                .from(table(name("mysql", "global_grants")))
                .where(field(name("USER"), String.class).eq(grantee.user()))
                .and(field(name("HOST"), String.class).eq(grantee.host()))
                .fetch()) {
            String priv = MySqlPrivileges.normalize(r.get(0, String.class).replace('_', ' '));
            put(held, PrivilegeScope.global(), new Held(Set.of(priv), false));
        }
    }

    private static void put(Map<PrivilegeScope, Held> map, PrivilegeScope scope, Held h) {
        map.merge(scope, h, (a, b) -> {
            Set<String> all = new LinkedHashSet<>(a.privileges());
            all.addAll(b.privileges());
            return new Held(all, a.grantOption() || b.grantOption());
        });
    }

    private static Held fromColumns(Record r) {
        Set<String> privileges = new LinkedHashSet<>();
        boolean grantOption = false;
        for (Field<?> f : r.fields()) {
            String privilege = MySqlPrivileges.PRIV_COLUMNS.get(f.getName());
            if (privilege != null && "Y".equals(r.get(f, String.class))) {
                if (privilege.equals(MySqlPrivileges.GRANT_OPTION)) {
                    grantOption = true;
                } else {
                    privileges.add(privilege);
                }
            }
        }
        return new Held(privileges, grantOption);
    }

    private static Held fromSet(String set) {
        Set<String> privileges = new LinkedHashSet<>();
        boolean grantOption = false;
        if (set != null && !set.isEmpty()) {
            for (String element : set.split(",")) {
                String privilege = MySqlPrivileges.ofSetElement(element);
                if (privilege.equals(MySqlPrivileges.GRANT_OPTION)) {
                    grantOption = true;
                } else {
                    privileges.add(privilege);
                }
            }
        }
        return new Held(privileges, grantOption);
    }

    // ---- roles

    /** Whether a native MariaDB role or a MySQL account 'role'@'%' of this name exists. */
    public boolean roleExists(String role) {
        return accounts(role).stream()
                .anyMatch(
                        a -> flavor == MySqlFlavor.MARIADB ? a.role() : a.host().equals("%"));
    }

    /** Roles granted to the grantee. */
    public Set<String> memberships(Grantee grantee) {
        if (flavor == MySqlFlavor.MARIADB) {
            return new LinkedHashSet<>(ctx.select(field(name("Role"), String.class))
                    .from(table(name("mysql", "roles_mapping")))
                    .where(field(name("User"), String.class).eq(grantee.user()))
                    .and(field(name("Host"), String.class).eq(grantee.host()))
                    .orderBy(1)
                    .fetch(0, String.class));
        }
        return new LinkedHashSet<>(ctx.select(field(name("FROM_USER"), String.class))
                .from(table(name("mysql", "role_edges")))
                .where(field(name("TO_USER"), String.class).eq(grantee.user()))
                .and(field(name("TO_HOST"), String.class).eq(grantee.host()))
                .orderBy(1)
                .fetch(0, String.class));
    }

    /** The account's default roles (MariaDB: at most one). */
    public Set<String> defaultRoles(Grantee.Account account) {
        if (flavor == MySqlFlavor.MARIADB) {
            return accounts(account.user()).stream()
                    .filter(a ->
                            a.host().equals(account.host()) && !a.defaultRole().isEmpty())
                    .map(AccountRow::defaultRole)
                    .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new));
        }
        return new LinkedHashSet<>(ctx.select(field(name("DEFAULT_ROLE_USER"), String.class))
                .from(table(name("mysql", "default_roles")))
                .where(field(name("USER"), String.class).eq(account.user()))
                .and(field(name("HOST"), String.class).eq(account.host()))
                .fetch(0, String.class));
    }

    // ---- owned objects

    /** Views, routines, triggers and events whose DEFINER is one of the accounts ({@code user@host}, unquoted). */
    public List<OwnedObject> ownedBy(String user, List<String> hosts) {
        List<String> definers = hosts.stream().map(h -> user + "@" + h).toList();
        List<OwnedObject> owned = new ArrayList<>();
        if (definers.isEmpty()) {
            return owned;
        }
        Condition byDefiner = field(name("DEFINER"), String.class).in(definers);
        Field<String> type = field(name("type"), String.class);
        for (Record r : ctx.select(
                        field(name("TABLE_SCHEMA"), String.class),
                        field(name("TABLE_NAME"), String.class),
                        DSL.inline("view").as(type))
                .from(table(name("information_schema", "VIEWS")))
                .where(byDefiner)
                .unionAll(DSL.select(
                                field(name("ROUTINE_SCHEMA"), String.class),
                                field(name("ROUTINE_NAME"), String.class),
                                DSL.cast(field(name("ROUTINE_TYPE")), String.class)
                                        .as(type))
                        .from(table(name("information_schema", "ROUTINES")))
                        .where(byDefiner))
                .unionAll(DSL.select(
                                field(name("TRIGGER_SCHEMA"), String.class),
                                field(name("TRIGGER_NAME"), String.class),
                                DSL.inline("trigger").as(type))
                        .from(table(name("information_schema", "TRIGGERS")))
                        .where(byDefiner))
                .unionAll(DSL.select(
                                field(name("EVENT_SCHEMA"), String.class),
                                field(name("EVENT_NAME"), String.class),
                                DSL.inline("event").as(type))
                        .from(table(name("information_schema", "EVENTS")))
                        .where(byDefiner))
                .fetch()) {
            owned.add(OwnedObject.newBuilder()
                    .setDatabase(r.get(0, String.class))
                    .setSchema(r.get(0, String.class))
                    .setName(r.get(1, String.class))
                    .setType(r.get(2, String.class).toLowerCase(Locale.ROOT))
                    .build());
        }
        return owned;
    }

    // ---- the admin

    /** The admin's global privileges (from information_schema, which reports what CURRENT_USER() holds). */
    public Set<String> adminPrivileges() {
        String current = ctx.fetchValue("SELECT CURRENT_USER()").toString();
        int at = current.lastIndexOf('@');
        String grantee = "'" + current.substring(0, at) + "'@'" + current.substring(at + 1) + "'";
        Set<String> privileges = new LinkedHashSet<>();
        for (Record r : ctx.select(
                        field(name("PRIVILEGE_TYPE"), String.class), field(name("IS_GRANTABLE"), String.class))
                .from(table(name("information_schema", "USER_PRIVILEGES")))
                .where(field(name("GRANTEE"), String.class).eq(grantee))
                .fetch()) {
            privileges.add(MySqlPrivileges.normalize(r.get(0, String.class).replace('_', ' ')));
            if ("YES".equals(r.get(1, String.class))) {
                privileges.add(MySqlPrivileges.GRANT_OPTION);
            }
        }
        for (Record r : ctx.select(field(name("PRIVILEGE_TYPE"), String.class))
                .from(table(name("information_schema", "SCHEMA_PRIVILEGES")))
                .where(field(name("GRANTEE"), String.class).eq(grantee))
                .and(field(name("TABLE_SCHEMA"), String.class).eq("mysql"))
                .fetch()) {
            privileges.add(MySqlPrivileges.normalize(r.get(0, String.class)) + " ON mysql.*");
        }
        return privileges;
    }

    /** Whether this connection is encrypted. */
    public boolean tlsInUse() {
        return ctx.resultQuery("SHOW SESSION STATUS LIKE 'Ssl_cipher'").fetch().stream()
                .anyMatch(r -> r.get(1) != null && !r.get(1).toString().isEmpty());
    }

    /** Whether the server accepts TLS connections at all. */
    public boolean tlsAvailable() {
        return ctx.resultQuery("SHOW GLOBAL VARIABLES LIKE 'have_ssl'").fetch().stream()
                        .anyMatch(r -> "YES".equalsIgnoreCase(String.valueOf(r.get(1))))
                || tlsInUse();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static long nzl(Long l) {
        return l == null ? 0 : l;
    }

    static List<String> split(String csv) {
        return csv == null || csv.isEmpty() ? List.of() : Arrays.asList(csv.split(","));
    }
}
