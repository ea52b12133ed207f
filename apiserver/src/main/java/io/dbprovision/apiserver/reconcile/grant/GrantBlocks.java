package io.dbprovision.apiserver.reconcile.grant;

import io.dbprovision.api.kinds.PostgresGrantDriftFields;
import io.dbprovision.proto.v1alpha1.DefaultPrivilegeObjectType;
import io.dbprovision.proto.v1alpha1.MySQLGrant;
import io.dbprovision.proto.v1alpha1.MySQLGrantConfig;
import io.dbprovision.proto.v1alpha1.MySQLGrantLevel;
import io.dbprovision.proto.v1alpha1.PostgresDefaultPrivilegeGrant;
import io.dbprovision.proto.v1alpha1.PostgresGrant;
import io.dbprovision.proto.v1alpha1.PostgresGrantConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A grant's engine blocks ({@code postgres}, {@code mysql}) as a set of single privileges — one membership, one
 * privilege on one database, schema, object or column, one default privilege — so that they can be compared: what an
 * older generation applied and the new one no longer lists ({@link #minus}), what two grants for one grantee have
 * in common ({@link #minusHeldBy}), and the union of both while a change is under way. The result goes back to the
 * provisioner as blocks again ({@link #postgres()}, {@link #mysql()}).
 *
 * <p>The comparison is literal, after normalising what means the same (privilege spelling and spacing, the
 * {@code public} schema of listed objects, a MySQL table {@code *} that is the database level): {@code ALL} and
 * {@code SELECT} are different privileges here, so a change from one to the other revokes the old and grants the new,
 * which is right, at the price of a moment without either.
 */
final class GrantBlocks {
    /** The most privileges one PostgresGrant or MySQLGrant may list (the schema's maxItems). */
    private static final int MAX_PRIVILEGES = 20;

    /** What a PostgreSQL privilege applies to, as the provisioner reads a PostgresGrant. */
    enum PgTarget {
        DATABASE,
        SCHEMA,
        TABLE,
        SEQUENCE,
        FUNCTION
    }

    record PgPrivilege(
            String database, String schema, PgTarget target, String object, String privilege, boolean grantOption) {
        PgPrivilege withoutOption() {
            return new PgPrivilege(database, schema, target, object, privilege, false);
        }
    }

    record PgDefault(
            String database, String schema, String grantedBy, DefaultPrivilegeObjectType type, String privilege) {}

    record MyPrivilege(
            MySQLGrantLevel level,
            String database,
            String table,
            String column,
            String routine,
            String privilege,
            boolean grantOption) {
        MyPrivilege withoutOption() {
            return new MyPrivilege(level, database, table, column, routine, privilege, false);
        }
    }

    private final Set<String> pgRoles = new TreeSet<>();
    private final Set<PgPrivilege> pgPrivileges = new LinkedHashSet<>();
    private final Set<PgDefault> pgDefaults = new LinkedHashSet<>();
    private final Set<String> myRoles = new TreeSet<>();
    private final Set<MyPrivilege> myPrivileges = new LinkedHashSet<>();

    private GrantBlocks() {}

    static GrantBlocks empty() {
        return new GrantBlocks();
    }

    static GrantBlocks of(PostgresGrantConfig postgres, MySQLGrantConfig mysql) {
        GrantBlocks blocks = new GrantBlocks();
        blocks.addPostgres(postgres);
        blocks.addMysql(mysql);
        return blocks;
    }

    boolean isEmpty() {
        return pgRoles.isEmpty()
                && pgPrivileges.isEmpty()
                && pgDefaults.isEmpty()
                && myRoles.isEmpty()
                && myPrivileges.isEmpty();
    }

    /** Both together. */
    GrantBlocks union(GrantBlocks other) {
        GrantBlocks out = copy();
        out.pgRoles.addAll(other.pgRoles);
        out.pgPrivileges.addAll(other.pgPrivileges);
        out.pgDefaults.addAll(other.pgDefaults);
        out.myRoles.addAll(other.myRoles);
        out.myPrivileges.addAll(other.myPrivileges);
        return out;
    }

    /**
     * What this lists and {@code other} does not. A privilege with the grant option is only covered by the same
     * privilege with it, so taking the option away revokes the privilege (and applying {@code other} grants it again
     * without): RevokeGrants has no "grant option only".
     */
    GrantBlocks minus(GrantBlocks other) {
        GrantBlocks out = copy();
        out.pgRoles.removeAll(other.pgRoles);
        out.pgPrivileges.removeIf(p ->
                other.pgPrivileges.contains(p) || (!p.grantOption() && other.pgPrivileges.contains(withOption(p))));
        out.pgDefaults.removeAll(other.pgDefaults);
        out.myRoles.removeAll(other.myRoles);
        out.myPrivileges.removeIf(p ->
                other.myPrivileges.contains(p) || (!p.grantOption() && other.myPrivileges.contains(withOption(p))));
        return out;
    }

    /**
     * What this lists that none of {@code others} (other grants to the same grantee) lists as well, grant option or
     * not: revoking a privilege another grant still gives would take it from that grant too.
     */
    GrantBlocks minusHeldBy(Collection<GrantBlocks> others) {
        GrantBlocks out = copy();
        for (GrantBlocks other : others) {
            Set<PgPrivilege> pg = new LinkedHashSet<>();
            other.pgPrivileges.forEach(p -> pg.add(p.withoutOption()));
            Set<MyPrivilege> my = new LinkedHashSet<>();
            other.myPrivileges.forEach(p -> my.add(p.withoutOption()));
            out.pgRoles.removeAll(other.pgRoles);
            // "*" gives the privilege on every object of its kind in its schema: a named one among them included.
            out.pgPrivileges.removeIf(p -> pg.contains(p.withoutOption())
                    || pg.contains(new PgPrivilege(p.database(), p.schema(), p.target(), "*", p.privilege(), false)));
            out.pgDefaults.removeAll(other.pgDefaults);
            out.myRoles.removeAll(other.myRoles);
            out.myPrivileges.removeIf(p -> my.contains(p.withoutOption()));
        }
        return out;
    }

    /**
     * In words, for an event: the memberships by name (the first few), the privileges counted — one privilege on one
     * object each, as they are compared here.
     */
    String summary() {
        List<String> parts = new ArrayList<>();
        Set<String> roles = new TreeSet<>(pgRoles);
        roles.addAll(myRoles);
        if (!roles.isEmpty()) {
            List<String> named = roles.stream().limit(5).toList();
            parts.add("membership in " + String.join(", ", named) + (roles.size() > named.size() ? ", …" : ""));
        }
        int privileges = pgPrivileges.size() + pgDefaults.size() + myPrivileges.size();
        if (privileges > 0) {
            parts.add(privileges + (privileges == 1 ? " privilege" : " privileges"));
        }
        return String.join(" and ", parts);
    }

    /**
     * The names of the drift fields ({@code status.drift.diffs[].field} without {@code .extra}) under which the
     * provisioner reports each privilege of this: {@code grants.table.db.schema.t}, {@code defaultPrivileges.db.schema
     * .creator.tables}; a {@code *} object as {@code grants.table.db.schema.*}. With what each gives there (grant option
     * or not).
     */
    Map<String, Map<String, Boolean>> postgresDriftFields() {
        Map<String, Map<String, Boolean>> fields = new LinkedHashMap<>();
        for (PgPrivilege p : pgPrivileges) {
            String name = switch (p.target()) {
                case DATABASE -> PostgresGrantDriftFields.database(p.database());
                case SCHEMA -> PostgresGrantDriftFields.schema(p.database(), p.schema());
                default ->
                    PostgresGrantDriftFields.object(
                            p.target().name().toLowerCase(java.util.Locale.ROOT), p.database(), p.schema(), p.object());
            };
            fields.computeIfAbsent(name, k -> new LinkedHashMap<>())
                    .merge(p.privilege(), p.grantOption(), Boolean::logicalOr);
        }
        for (PgDefault d : pgDefaults) {
            String name = PostgresGrantDriftFields.defaultPrivileges(d.database(), d.schema(), d.grantedBy(), d.type());
            fields.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(d.privilege(), false);
        }
        return fields;
    }

    /** The memberships this gives, on either engine. */
    Set<String> roles() {
        Set<String> roles = new TreeSet<>(pgRoles);
        roles.addAll(myRoles);
        return roles;
    }

    /** The PostgreSQL block: one grant per target and grant option, privileges sorted. */
    PostgresGrantConfig postgres() {
        PostgresGrantConfig.Builder block = PostgresGrantConfig.newBuilder().addAllRoles(pgRoles);
        Map<List<Object>, Set<String>> byTarget = new LinkedHashMap<>();
        for (PgPrivilege p : sorted(pgPrivileges, Comparator.comparing(PgPrivilege::toString))) {
            byTarget.computeIfAbsent(
                            List.of(p.database(), p.schema(), p.target(), p.object(), p.grantOption()),
                            k -> new TreeSet<>())
                    .add(p.privilege());
        }
        byTarget.forEach((key, privileges) -> {
            for (List<String> chunk : chunks(privileges)) {
                PostgresGrant.Builder grant = PostgresGrant.newBuilder()
                        .setDatabase((String) key.get(0))
                        .setSchema((String) key.get(1))
                        .addAllPrivileges(chunk);
                String object = (String) key.get(3);
                switch ((PgTarget) key.get(2)) {
                    case TABLE -> grant.addTables(object);
                    case SEQUENCE -> grant.addSequences(object);
                    case FUNCTION -> grant.addFunctions(object);
                    default -> {}
                }
                if ((Boolean) key.get(4)) {
                    grant.setWithGrantOption(true);
                }
                block.addGrants(grant);
            }
        });
        Map<List<Object>, Set<String>> byScope = new LinkedHashMap<>();
        for (PgDefault d : sorted(pgDefaults, Comparator.comparing(PgDefault::toString))) {
            byScope.computeIfAbsent(List.of(d.database(), d.schema(), d.grantedBy(), d.type()), k -> new TreeSet<>())
                    .add(d.privilege());
        }
        byScope.forEach((key, privileges) -> {
            for (List<String> chunk : chunks(privileges)) {
                block.addDefaultPrivileges(PostgresDefaultPrivilegeGrant.newBuilder()
                        .setDatabase((String) key.get(0))
                        .setSchema((String) key.get(1))
                        .setGrantedBy((String) key.get(2))
                        .setObjectType((DefaultPrivilegeObjectType) key.get(3))
                        .addAllPrivileges(chunk));
            }
        });
        return block.build();
    }

    /** The MySQL block: one grant per scope (per column at the column level) and grant option. */
    MySQLGrantConfig mysql() {
        MySQLGrantConfig.Builder block = MySQLGrantConfig.newBuilder().addAllRoles(myRoles);
        Map<List<Object>, Set<String>> byScope = new LinkedHashMap<>();
        for (MyPrivilege p : sorted(myPrivileges, Comparator.comparing(MyPrivilege::toString))) {
            byScope.computeIfAbsent(
                            List.of(p.level(), p.database(), p.table(), p.column(), p.routine(), p.grantOption()),
                            k -> new TreeSet<>())
                    .add(p.privilege());
        }
        byScope.forEach((key, privileges) -> {
            MySQLGrantLevel level = (MySQLGrantLevel) key.get(0);
            for (List<String> chunk : chunks(privileges)) {
                MySQLGrant.Builder grant = MySQLGrant.newBuilder()
                        .setLevel(level)
                        .setDatabase((String) key.get(1))
                        .setTable((String) key.get(2))
                        .addAllPrivileges(chunk);
                String column = (String) key.get(3);
                if (!column.isEmpty()) {
                    grant.addColumns(column);
                }
                if (level == MySQLGrantLevel.MYSQL_GRANT_LEVEL_PROCEDURE) {
                    grant.setProcedure((String) key.get(4));
                } else if (level == MySQLGrantLevel.MYSQL_GRANT_LEVEL_FUNCTION) {
                    grant.setFunction((String) key.get(4));
                }
                if ((Boolean) key.get(5)) {
                    grant.setWithGrantOption(true);
                }
                block.addGrants(grant);
            }
        });
        return block.build();
    }

    // ---- building ---------------------------------------------------------------------------------------------------

    private void addPostgres(PostgresGrantConfig config) {
        pgRoles.addAll(config.getRolesList());
        for (PostgresGrant g : config.getGrantsList()) {
            boolean option = g.getWithGrantOption();
            boolean objects = g.getTablesCount() + g.getSequencesCount() + g.getFunctionsCount() > 0;
            for (String raw : g.getPrivilegesList()) {
                String privilege = privilege(raw);
                if (!objects && g.getSchema().isEmpty()) {
                    pgPrivileges.add(new PgPrivilege(g.getDatabase(), "", PgTarget.DATABASE, "", privilege, option));
                } else if (!objects) {
                    pgPrivileges.add(
                            new PgPrivilege(g.getDatabase(), g.getSchema(), PgTarget.SCHEMA, "", privilege, option));
                } else {
                    // Listed objects without a schema are in public, as the provisioner reads them.
                    String schema = g.getSchema().isEmpty() ? "public" : g.getSchema();
                    g.getTablesList()
                            .forEach(t -> pgPrivileges.add(
                                    new PgPrivilege(g.getDatabase(), schema, PgTarget.TABLE, t, privilege, option)));
                    g.getSequencesList()
                            .forEach(s -> pgPrivileges.add(
                                    new PgPrivilege(g.getDatabase(), schema, PgTarget.SEQUENCE, s, privilege, option)));
                    g.getFunctionsList()
                            .forEach(f -> pgPrivileges.add(
                                    new PgPrivilege(g.getDatabase(), schema, PgTarget.FUNCTION, f, privilege, option)));
                }
            }
        }
        for (PostgresDefaultPrivilegeGrant d : config.getDefaultPrivilegesList()) {
            for (String raw : d.getPrivilegesList()) {
                pgDefaults.add(new PgDefault(
                        d.getDatabase(), d.getSchema(), d.getGrantedBy(), d.getObjectType(), privilege(raw)));
            }
        }
    }

    private void addMysql(MySQLGrantConfig config) {
        myRoles.addAll(config.getRolesList());
        for (MySQLGrant g : config.getGrantsList()) {
            boolean option = g.getWithGrantOption();
            MySQLGrantLevel level = g.getLevel();
            String database = level == MySQLGrantLevel.MYSQL_GRANT_LEVEL_GLOBAL ? "" : g.getDatabase();
            String table = "";
            String routine = "";
            List<String> columns = List.of("");
            switch (level) {
                case MYSQL_GRANT_LEVEL_TABLE -> {
                    if (g.getTable().equals("*")) {
                        level = MySQLGrantLevel.MYSQL_GRANT_LEVEL_DATABASE; // db.* is the database level
                    } else {
                        table = g.getTable();
                    }
                }
                case MYSQL_GRANT_LEVEL_COLUMN -> {
                    table = g.getTable();
                    columns = g.getColumnsList();
                }
                case MYSQL_GRANT_LEVEL_PROCEDURE -> routine = g.getProcedure();
                case MYSQL_GRANT_LEVEL_FUNCTION -> routine = g.getFunction();
                default -> {}
            }
            for (String raw : g.getPrivilegesList()) {
                String privilege = privilege(raw);
                for (String column : columns) {
                    myPrivileges.add(new MyPrivilege(level, database, table, column, routine, privilege, option));
                }
            }
        }
    }

    /** Upper case, single spaces, the engines' synonyms as one: ALL PRIVILEGES is ALL, TEMP is TEMPORARY. */
    static String privilege(String raw) {
        String p = String.join(" ", raw.trim().toUpperCase(Locale.ROOT).split("\\s+"));
        return switch (p) {
            case "ALL PRIVILEGES" -> "ALL";
            case "TEMP" -> "TEMPORARY";
            default -> p;
        };
    }

    private GrantBlocks copy() {
        GrantBlocks out = new GrantBlocks();
        out.pgRoles.addAll(pgRoles);
        out.pgPrivileges.addAll(pgPrivileges);
        out.pgDefaults.addAll(pgDefaults);
        out.myRoles.addAll(myRoles);
        out.myPrivileges.addAll(myPrivileges);
        return out;
    }

    private static PgPrivilege withOption(PgPrivilege p) {
        return new PgPrivilege(p.database(), p.schema(), p.target(), p.object(), p.privilege(), true);
    }

    private static MyPrivilege withOption(MyPrivilege p) {
        return new MyPrivilege(p.level(), p.database(), p.table(), p.column(), p.routine(), p.privilege(), true);
    }

    private static <T> List<T> sorted(Collection<T> items, Comparator<T> order) {
        List<T> out = new ArrayList<>(items);
        out.sort(order);
        return out;
    }

    private static List<List<String>> chunks(Set<String> privileges) {
        List<String> all = List.copyOf(privileges);
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += MAX_PRIVILEGES) {
            out.add(all.subList(i, Math.min(all.size(), i + MAX_PRIVILEGES)));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GrantBlocks other
                && pgRoles.equals(other.pgRoles)
                && pgPrivileges.equals(other.pgPrivileges)
                && pgDefaults.equals(other.pgDefaults)
                && myRoles.equals(other.myRoles)
                && myPrivileges.equals(other.myPrivileges);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(pgRoles, pgPrivileges, pgDefaults, myRoles, myPrivileges);
    }
}
