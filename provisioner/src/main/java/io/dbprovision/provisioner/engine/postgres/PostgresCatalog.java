package io.dbprovision.provisioner.engine.postgres;

import io.dbprovision.proto.engine.v1alpha1.OwnedObject;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * Reads the PostgreSQL catalog through jOOQ with bind values: databases, roles, memberships, role settings, stored
 * verifiers, privileges (aclexplode over datacl, nspacl, relacl, proacl and pg_default_acl), extensions, schemas
 * and owned objects. Each method works on the connection it is given, so the engine decides which database it reads
 * in. CockroachDB overrides the privilege reads (it answers SHOW GRANTS, not aclexplode).
 */
public class PostgresCatalog {
    static final String SYSTEM_SCHEMAS =
            "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'"
                    + " AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

    public record DatabaseRow(
            String name,
            String owner,
            String encoding,
            String collate,
            String ctype,
            String tablespace,
            int connectionLimit,
            boolean isTemplate,
            boolean allowConnections,
            long sizeBytes) {}

    public record RoleRow(
            String name,
            boolean superuser,
            boolean inherit,
            boolean createRole,
            boolean createDb,
            boolean login,
            boolean replication,
            boolean bypassRls,
            int connectionLimit,
            OffsetDateTime validUntil) {}

    public record Extension(String name, String version, String schema) {}

    /** A role with what is read alongside it: the roles it is a direct member of and its session defaults. */
    public record RoleState(RoleRow row, List<String> memberOf, Map<String, String> settings) {}

    /** A privilege as aclexplode reports it, on one object. */
    public record Held(String privilege, boolean grantable) {}

    /**
     * What a grantee holds on one object: the privileges its ACL grants it, and whether the grantee owns the object.
     * An owner holds every privilege on what it owns whatever the ACL says (its own entry appears there once anyone
     * was granted something), so an owner's privileges are neither missing nor extra: they are not grants.
     */
    public record Acl(boolean owned, List<Held> held) {
        public static Acl granted(List<Held> held) {
            return new Acl(false, held);
        }
    }

    /** A default-privilege entry: who creates, where, which kind, what the grantee gets. */
    public record DefaultAcl(String grantedBy, String schema, char objectType, String privilege, boolean grantable) {}

    public int serverVersionNum(DSLContext dsl) {
        return Integer.parseInt(value(dsl, String.class, "SELECT current_setting('server_version_num')"));
    }

    public String serverVersion(DSLContext dsl) {
        return value(dsl, String.class, "SHOW server_version");
    }

    public Optional<DatabaseRow> database(DSLContext dsl, String name) {
        return dsl.fetchOptional(
                        "SELECT d.datname, pg_get_userbyid(d.datdba), pg_encoding_to_char(d.encoding), d.datcollate,"
                                + " d.datctype, t.spcname, d.datconnlimit, d.datistemplate, d.datallowconn,"
                                + " CASE WHEN has_database_privilege(d.oid, 'CONNECT') THEN pg_database_size(d.oid)"
                                + " ELSE 0 END"
                                + " FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace"
                                + " WHERE d.datname = ?",
                        name)
                .map(r -> new DatabaseRow(
                        r.get(0, String.class),
                        r.get(1, String.class),
                        r.get(2, String.class),
                        r.get(3, String.class),
                        r.get(4, String.class),
                        r.get(5, String.class),
                        r.get(6, Integer.class),
                        r.get(7, Boolean.class),
                        r.get(8, Boolean.class),
                        r.get(9, Long.class)));
    }

    /** Sessions on a database other than the reading one. */
    public int otherSessions(DSLContext dsl, String database) {
        return value(
                dsl,
                Integer.class,
                "SELECT count(*)::int FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()",
                database);
    }

    public List<Extension> extensions(DSLContext dsl) {
        return dsl.fetch("SELECT e.extname, e.extversion, n.nspname FROM pg_extension e"
                        + " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY 1")
                .map(r -> new Extension(r.get(0, String.class), r.get(1, String.class), r.get(2, String.class)));
    }

    /** Non-system schemas and their owners. */
    public Map<String, String> schemas(DSLContext dsl) {
        Map<String, String> schemas = new LinkedHashMap<>();
        for (Record r : dsl.fetch("SELECT n.nspname, pg_get_userbyid(n.nspowner) FROM pg_namespace n WHERE "
                + SYSTEM_SCHEMAS + " ORDER BY 1")) {
            schemas.put(r.get(0, String.class), r.get(1, String.class));
        }
        return schemas;
    }

    public Optional<RoleRow> role(DSLContext dsl, String name) {
        return dsl.fetchOptional(
                        "SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication,"
                                + " rolbypassrls, rolconnlimit, rolvaliduntil FROM pg_roles WHERE rolname = ?",
                        name)
                .map(r -> new RoleRow(
                        r.get(0, String.class),
                        r.get(1, Boolean.class),
                        r.get(2, Boolean.class),
                        r.get(3, Boolean.class),
                        r.get(4, Boolean.class),
                        r.get(5, Boolean.class),
                        r.get(6, Boolean.class),
                        r.get(7, Boolean.class),
                        r.get(8, Integer.class),
                        r.get(9, OffsetDateTime.class)));
    }

    /**
     * {@link #role}, {@link #memberOf} and {@link #settings} in one query (one round trip instead of three), for the
     * callers that need all three.
     */
    public Optional<RoleState> roleState(DSLContext dsl, String name) {
        Field<?>[] columns = {
            DSL.field("rolname", String.class),
            DSL.field("rolsuper", Boolean.class),
            DSL.field("rolinherit", Boolean.class),
            DSL.field("rolcreaterole", Boolean.class),
            DSL.field("rolcreatedb", Boolean.class),
            DSL.field("rolcanlogin", Boolean.class),
            DSL.field("rolreplication", Boolean.class),
            DSL.field("rolbypassrls", Boolean.class),
            DSL.field("rolconnlimit", Integer.class),
            DSL.field("rolvaliduntil", OffsetDateTime.class),
            DSL.field("member_of", String[].class),
            DSL.field("settings", String[].class)
        };
        return dsl.resultQuery(
                        "SELECT u.rolname, u.rolsuper, u.rolinherit, u.rolcreaterole, u.rolcreatedb, u.rolcanlogin,"
                                + " u.rolreplication, u.rolbypassrls, u.rolconnlimit, u.rolvaliduntil,"
                                + " ARRAY(SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid"
                                + " WHERE m.member = u.oid ORDER BY 1),"
                                + " (SELECT s.setconfig FROM pg_db_role_setting s WHERE s.setrole = u.oid"
                                + " AND s.setdatabase = 0)"
                                + " FROM pg_roles u WHERE u.rolname = ?",
                        name)
                .coerce(columns)
                .fetchOptional()
                .map(r -> new RoleState(
                        new RoleRow(
                                r.get(0, String.class),
                                r.get(1, Boolean.class),
                                r.get(2, Boolean.class),
                                r.get(3, Boolean.class),
                                r.get(4, Boolean.class),
                                r.get(5, Boolean.class),
                                r.get(6, Boolean.class),
                                r.get(7, Boolean.class),
                                r.get(8, Integer.class),
                                r.get(9, OffsetDateTime.class)),
                        r.get(10, String[].class) == null ? List.of() : List.of(r.get(10, String[].class)),
                        settings(r.get(11, String[].class))));
    }

    /** The roles a role is a direct member of. */
    public List<String> memberOf(DSLContext dsl, String member) {
        return dsl.fetch(
                        "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid"
                                + " JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = ? ORDER BY 1",
                        member)
                .getValues(0, String.class);
    }

    /** The role's session defaults for every database (ALTER ROLE ... SET), as key → value. */
    public Map<String, String> settings(DSLContext dsl, String role) {
        return settings(dsl.fetch(
                        "SELECT unnest(s.setconfig) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole"
                                + " WHERE r.rolname = ? AND s.setdatabase = 0",
                        role)
                .getValues(0, String.class)
                .toArray(String[]::new));
    }

    /** {@code key=value} entries of setconfig as key → value (null: none). */
    private static Map<String, String> settings(String[] entries) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (entries != null) {
            for (String entry : entries) {
                int eq = entry.indexOf('=');
                settings.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return settings;
    }

    /** Whether the connected admin may read pg_authid (superusers only). */
    public boolean canReadVerifiers(DSLContext dsl) {
        return Boolean.TRUE.equals(
                value(dsl, Boolean.class, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
    }

    public Optional<String> verifier(DSLContext dsl, String role) {
        return Optional.ofNullable(
                value(dsl, String.class, "SELECT rolpassword FROM pg_authid WHERE rolname = ?", role));
    }

    /** Databases (that accept connections) holding objects or privileges of the role, per pg_shdepend. */
    public List<String> databasesWithDependencies(DSLContext dsl, String role) {
        return dsl.fetch(
                        "SELECT DISTINCT d.datname FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid"
                                + " WHERE s.refclassid = 'pg_authid'::regclass AND d.datallowconn"
                                + " AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = ?) ORDER BY 1",
                        role)
                .getValues(0, String.class);
    }

    /** Databases the role owns (shared objects; listed from any database). */
    public List<String> ownedDatabases(DSLContext dsl, String role) {
        return dsl.fetch("SELECT datname FROM pg_database WHERE pg_get_userbyid(datdba) = ? ORDER BY 1", role)
                .getValues(0, String.class);
    }

    /** Relations and functions the role owns in the connected database. */
    public List<OwnedObject> ownedObjects(DSLContext dsl, String database, String role) {
        List<OwnedObject> owned = new ArrayList<>();
        for (Record r : dsl.fetch(
                "SELECT n.nspname, c.relname, CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view'"
                        + " WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' ELSE 'table' END"
                        + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND " + SYSTEM_SCHEMAS
                        + " AND pg_get_userbyid(c.relowner) = ?"
                        + " UNION ALL SELECT n.nspname, p.proname, CASE p.prokind WHEN 'p' THEN 'procedure'"
                        + " ELSE 'function' END FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                        + " WHERE " + SYSTEM_SCHEMAS + " AND pg_get_userbyid(p.proowner) = ? ORDER BY 1, 2",
                role,
                role)) {
            owned.add(OwnedObject.newBuilder()
                    .setDatabase(database)
                    .setSchema(r.get(0, String.class))
                    .setName(r.get(1, String.class))
                    .setType(r.get(2, String.class))
                    .build());
        }
        return owned;
    }

    // ---- privileges held by a grantee -----------------------------------------------------------------------------

    public Acl databasePrivileges(DSLContext dsl, String database, String grantee) {
        return acl(
                dsl,
                "SELECT d.datdba = g.oid, a.privilege_type, a.is_grantable FROM pg_database d"
                        + " LEFT JOIN (SELECT oid FROM pg_roles WHERE rolname = ?) g ON true"
                        + " LEFT JOIN LATERAL (SELECT * FROM aclexplode(d.datacl) x WHERE x.grantee = g.oid) a ON true"
                        + " WHERE d.datname = ?",
                grantee,
                database);
    }

    public Acl schemaPrivileges(DSLContext dsl, String schema, String grantee) {
        return acl(
                dsl,
                "SELECT n.nspowner = g.oid, a.privilege_type, a.is_grantable FROM pg_namespace n"
                        + " LEFT JOIN (SELECT oid FROM pg_roles WHERE rolname = ?) g ON true"
                        + " LEFT JOIN LATERAL (SELECT * FROM aclexplode(n.nspacl) x WHERE x.grantee = g.oid) a ON true"
                        + " WHERE n.nspname = ?",
                grantee,
                schema);
    }

    /**
     * Every object of a kind in a schema with what the grantee holds on it (an empty list when nothing): the input
     * of both "*" targets (every object) and named ones. Overloaded functions are merged by name, keeping what all
     * overloads hold.
     */
    public Map<String, Acl> objectPrivileges(DSLContext dsl, GrantTarget.Kind kind, String schema, String grantee) {
        String sql = switch (kind) {
            case TABLE, SEQUENCE ->
                "SELECT c.relname, a.privilege_type, a.is_grantable, 1, c.relowner = g.oid FROM pg_class c"
                        + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " LEFT JOIN (SELECT oid FROM pg_roles WHERE rolname = ?) g ON true"
                        + " LEFT JOIN LATERAL (SELECT * FROM aclexplode(c.relacl) x WHERE x.grantee = g.oid) a ON true"
                        + " WHERE n.nspname = ? AND c.relkind = ANY (?::\"char\"[])";
            case FUNCTION ->
                "SELECT p.proname, a.privilege_type, a.is_grantable,"
                        + " count(*) OVER (PARTITION BY p.proname), p.proowner = g.oid FROM pg_proc p"
                        + " JOIN pg_namespace n ON n.oid = p.pronamespace"
                        + " LEFT JOIN (SELECT oid FROM pg_roles WHERE rolname = ?) g ON true"
                        + " LEFT JOIN LATERAL (SELECT * FROM aclexplode(p.proacl) x WHERE x.grantee = g.oid) a ON true"
                        + " WHERE n.nspname = ? AND p.prokind::text = ANY (?::text[])";
            default -> throw new IllegalArgumentException(kind.name());
        };
        String[] kinds = switch (kind) {
            case TABLE -> new String[] {"r", "v", "m", "f", "p"};
            case SEQUENCE -> new String[] {"S"};
            default -> new String[] {"f", "a", "w"};
        };
        Map<String, Map<String, int[]>> counts = new LinkedHashMap<>();
        Map<String, Integer> overloads = new HashMap<>();
        Map<String, Boolean> owned = new HashMap<>();
        for (Record r : dsl.fetch(sql, grantee, schema, kinds)) {
            String object = r.get(0, String.class);
            Map<String, int[]> privileges = counts.computeIfAbsent(object, k -> new LinkedHashMap<>());
            overloads.put(object, r.get(3, Integer.class));
            // Every row of an object is one of its overloads: owned only when the grantee owns all of them.
            owned.merge(object, Boolean.TRUE.equals(r.get(4, Boolean.class)), Boolean::logicalAnd);
            String privilege = r.get(1, String.class);
            if (privilege != null) {
                int[] c = privileges.computeIfAbsent(privilege, k -> new int[2]);
                c[0]++;
                if (Boolean.TRUE.equals(r.get(2, Boolean.class))) {
                    c[1]++;
                }
            }
        }
        Map<String, Acl> result = new LinkedHashMap<>();
        counts.forEach((object, privileges) -> {
            int n = kind == GrantTarget.Kind.FUNCTION ? overloads.get(object) : 1;
            List<Held> held = new ArrayList<>();
            privileges.forEach((p, c) -> {
                if (c[0] >= n) {
                    held.add(new Held(p, c[1] >= n));
                }
            });
            result.put(object, new Acl(owned.get(object), held));
        });
        return result;
    }

    /** The grantee's default-privilege entries in the connected database. */
    public List<DefaultAcl> defaultPrivileges(DSLContext dsl, String grantee) {
        return dsl.fetch(
                        "SELECT pg_get_userbyid(d.defaclrole), coalesce(n.nspname, ''), d.defaclobjtype::text,"
                                + " a.privilege_type, a.is_grantable FROM pg_default_acl d"
                                + " LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a"
                                + " WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = ?)",
                        grantee)
                .map(r -> new DefaultAcl(
                        r.get(0, String.class),
                        r.get(1, String.class),
                        r.get(2, String.class).charAt(0),
                        r.get(3, String.class),
                        r.get(4, Boolean.class)));
    }

    // ---- instance ------------------------------------------------------------------------------------------------

    public boolean sslInUse(DSLContext dsl) {
        return Boolean.TRUE.equals(
                value(dsl, Boolean.class, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));
    }

    public boolean sslEnabled(DSLContext dsl) {
        return "on".equals(value(dsl, String.class, "SELECT current_setting('ssl')"));
    }

    public String passwordEncryption(DSLContext dsl) {
        return value(dsl, String.class, "SELECT current_setting('password_encryption')");
    }

    /** The admin's own attributes and memberships: rolsuper, rolcreatedb, rolcreaterole, pg_signal_backend. */
    public Record adminPrivileges(DSLContext dsl) {
        return dsl.fetchOne("SELECT rolsuper, rolcreatedb, rolcreaterole,"
                + " pg_has_role(current_user, 'pg_signal_backend', 'MEMBER'),"
                + " pg_has_role(current_user, 'pg_read_all_data', 'MEMBER')"
                + " FROM pg_roles WHERE rolname = current_user");
    }

    private static <T> T value(DSLContext dsl, Class<T> type, String sql, Object... binds) {
        Record r = dsl.fetchOne(sql, binds);
        return r == null ? null : r.get(0, type);
    }

    /** Rows of (owned, privilege, grantable); no row when the object does not exist. */
    private static Acl acl(DSLContext dsl, String sql, Object... binds) {
        boolean owned = false;
        List<Held> held = new ArrayList<>();
        for (Record r : dsl.fetch(sql, binds)) {
            owned |= Boolean.TRUE.equals(r.get(0, Boolean.class));
            if (r.get(1) != null) {
                held.add(new Held(r.get(1, String.class), r.get(2, Boolean.class)));
            }
        }
        return new Acl(owned, held);
    }
}
