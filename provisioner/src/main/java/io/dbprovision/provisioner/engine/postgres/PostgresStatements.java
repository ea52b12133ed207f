package io.dbprovision.provisioner.engine.postgres;

import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.keyword;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.sql;

import io.dbprovision.proto.v1alpha1.DefaultPrivilegeObjectType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jooq.Context;
import org.jooq.Keyword;
import org.jooq.Name;
import org.jooq.Privilege;
import org.jooq.Query;
import org.jooq.QueryPart;
import org.jooq.impl.CustomQueryPart;
import org.jooq.impl.DSL;

/**
 * Every statement shape the PostgreSQL engine sends, as jOOQ queries and nothing else: no connection, no catalog,
 * no decisions (those are {@link PostgresEngine}'s). jOOQ's DSL builds what it has (GRANT/REVOKE on tables, CREATE
 * and DROP DATABASE); the rest are constant plain-SQL templates whose identifiers go through {@link DSL#name} and
 * literals through {@link DSL#inline}. Privileges and attribute keywords come only from fixed allowlists. Golden
 * files ({@code golden/postgres/}) pin every shape; CockroachDB overrides the few that differ there.
 */
public class PostgresStatements {

    // ---- databases ------------------------------------------------------------------------------------------------

    /** CREATE DATABASE with each option only when set (template, locale and tablespace are create-time only). */
    public Query createDatabase(String database, DatabaseOptions options) {
        List<QueryPart> clauses = new ArrayList<>();
        if (!options.owner().isEmpty()) {
            clauses.add(sql("OWNER = {0}", name(options.owner())));
        }
        if (!options.template().isEmpty()) {
            clauses.add(sql("TEMPLATE = {0}", name(options.template())));
        }
        if (!options.encoding().isEmpty()) {
            clauses.add(sql("ENCODING = {0}", inline(options.encoding())));
        }
        if (!options.lcCollate().isEmpty()) {
            clauses.add(sql("LC_COLLATE = {0}", inline(options.lcCollate())));
        }
        if (!options.lcCtype().isEmpty()) {
            clauses.add(sql("LC_CTYPE = {0}", inline(options.lcCtype())));
        }
        if (!options.tablespace().isEmpty()) {
            clauses.add(sql("TABLESPACE = {0}", name(options.tablespace())));
        }
        if (options.connectionLimit() != null) {
            clauses.add(sql("CONNECTION LIMIT = {0}", inline(options.connectionLimit())));
        }
        if (options.isTemplate() != null) {
            clauses.add(sql("IS_TEMPLATE = {0}", bool(options.isTemplate())));
        }
        if (clauses.isEmpty()) {
            return DSL.createDatabase(name(database));
        }
        return DSL.query("CREATE DATABASE {0} WITH {1}", name(database), spaced(clauses));
    }

    public Query alterDatabaseOwner(String database, String owner) {
        return DSL.query("ALTER DATABASE {0} OWNER TO {1}", name(database), name(owner));
    }

    public Query alterDatabaseConnectionLimit(String database, int limit) {
        return DSL.query("ALTER DATABASE {0} WITH CONNECTION LIMIT {1}", name(database), inline(limit));
    }

    public Query alterDatabaseIsTemplate(String database, boolean isTemplate) {
        return DSL.query("ALTER DATABASE {0} WITH IS_TEMPLATE {1}", name(database), bool(isTemplate));
    }

    /** Ends the database's sessions except the one running this statement (the caller's own admin connection). */
    public Query terminateSessions(String database) {
        return DSL.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = {0} AND pid <> pg_backend_pid()",
                inline(database));
    }

    public Query dropDatabase(String database) {
        return DSL.dropDatabaseIfExists(name(database));
    }

    public Query createExtension(String extension, String schema, String version) {
        List<QueryPart> parts = new ArrayList<>();
        parts.add(sql("CREATE EXTENSION IF NOT EXISTS {0}", name(extension)));
        if (!schema.isEmpty()) {
            parts.add(sql("SCHEMA {0}", name(schema)));
        }
        if (!version.isEmpty()) {
            parts.add(sql("VERSION {0}", inline(version)));
        }
        return DSL.query("{0}", spaced(parts));
    }

    public Query alterExtensionVersion(String extension, String version) {
        return DSL.query("ALTER EXTENSION {0} UPDATE TO {1}", name(extension), inline(version));
    }

    public Query createSchema(String schema, String owner) {
        if (owner.isEmpty()) {
            return DSL.createSchemaIfNotExists(name(schema));
        }
        return DSL.query("CREATE SCHEMA IF NOT EXISTS {0} AUTHORIZATION {1}", name(schema), name(owner));
    }

    public Query alterSchemaOwner(String schema, String owner) {
        return DSL.query("ALTER SCHEMA {0} OWNER TO {1}", name(schema), name(owner));
    }

    // ---- users and roles ------------------------------------------------------------------------------------------

    /** CREATE ROLE with the given attributes; {@code passwordVerifier} null for none (a SCRAM verifier otherwise). */
    public Query createRole(String role, RoleOptions options, String passwordVerifier) {
        List<QueryPart> clauses = roleClauses(options);
        if (passwordVerifier != null) {
            clauses.add(sql("PASSWORD {0}", inline(passwordVerifier)));
        }
        if (clauses.isEmpty()) {
            return DSL.query("CREATE ROLE {0}", name(role));
        }
        return DSL.query("CREATE ROLE {0} WITH {1}", name(role), spaced(clauses));
    }

    public Query alterRole(String role, RoleOptions options) {
        return DSL.query("ALTER ROLE {0} WITH {1}", name(role), spaced(roleClauses(options)));
    }

    /** Sets the password as a SCRAM verifier (the server stores it as given and never sees the password). */
    public Query alterRolePassword(String role, String passwordVerifier) {
        return DSL.query("ALTER ROLE {0} WITH PASSWORD {1}", name(role), inline(passwordVerifier));
    }

    /** A session default of the role in every database; dotted (custom) parameters become qualified names. */
    public Query alterRoleSet(String role, String parameter, String value) {
        return DSL.query("ALTER ROLE {0} SET {1} = {2}", name(role), parameterName(parameter), inline(value));
    }

    public Query grantRole(String role, String member) {
        return DSL.query("GRANT {0} TO {1}", name(role), name(member));
    }

    public Query revokeRole(String role, String member) {
        return DSL.query("REVOKE {0} FROM {1}", name(role), name(member));
    }

    /** {@code newOwner} empty: the admin running it (CURRENT_USER). */
    public Query reassignOwned(String role, String newOwner) {
        if (newOwner.isEmpty()) {
            return DSL.query("REASSIGN OWNED BY {0} TO CURRENT_USER", name(role));
        }
        return DSL.query("REASSIGN OWNED BY {0} TO {1}", name(role), name(newOwner));
    }

    public Query dropOwned(String role) {
        return DSL.query("DROP OWNED BY {0}", name(role));
    }

    public Query dropRole(String role) {
        return DSL.query("DROP ROLE IF EXISTS {0}", name(role));
    }

    public Query setRole(String role) {
        return DSL.query("SET ROLE {0}", name(role));
    }

    // ---- privileges -----------------------------------------------------------------------------------------------

    /** GRANT concrete privileges (from {@link PostgresPrivileges}) on a target. */
    public Query grant(Set<String> privileges, GrantTarget target, String grantee, boolean withGrantOption) {
        if (target.kind() == GrantTarget.Kind.TABLE && !target.all()) {
            var grant = DSL.grant(privileges(privileges))
                    .on(DSL.table(name(target.schema(), target.object())))
                    .to(DSL.role(name(grantee)));
            return withGrantOption ? grant.withGrantOption() : grant;
        }
        if (withGrantOption) {
            return DSL.query(
                    "GRANT {0} ON {1} TO {2} WITH GRANT OPTION", keywords(privileges), on(target), name(grantee));
        }
        return DSL.query("GRANT {0} ON {1} TO {2}", keywords(privileges), on(target), name(grantee));
    }

    /**
     * REVOKE ... CASCADE: what the grantee passed on with a grant option goes with it (without CASCADE PostgreSQL
     * refuses, "dependent privileges exist"). jOOQ's revoke has no CASCADE, so every level uses the template.
     */
    public Query revoke(Set<String> privileges, GrantTarget target, String grantee) {
        return DSL.query("REVOKE {0} ON {1} FROM {2} CASCADE", keywords(privileges), on(target), name(grantee));
    }

    /** Keeps the privileges, takes away the right to pass them on (and what was passed on). */
    public Query revokeGrantOption(Set<String> privileges, GrantTarget target, String grantee) {
        return DSL.query(
                "REVOKE GRANT OPTION FOR {0} ON {1} FROM {2} CASCADE", keywords(privileges), on(target), name(grantee));
    }

    public Query grantDefaultPrivileges(
            String grantedBy, String schema, DefaultPrivilegeObjectType type, Set<String> privileges, String grantee) {
        return DSL.query(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {0} IN SCHEMA {1} GRANT {2} ON {3} TO {4}",
                name(grantedBy), name(schema), keywords(privileges), objectTypeKeyword(type), name(grantee));
    }

    public Query revokeDefaultPrivileges(
            String grantedBy, String schema, DefaultPrivilegeObjectType type, Set<String> privileges, String grantee) {
        return DSL.query(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {0} IN SCHEMA {1} REVOKE {2} ON {3} FROM {4}",
                name(grantedBy), name(schema), keywords(privileges), objectTypeKeyword(type), name(grantee));
    }

    // ---- init SQL -------------------------------------------------------------------------------------------------

    /**
     * A caller's own statement, sent exactly as written. jOOQ's plain-SQL parser would read {@code {0}} and {@code ?}
     * inside it (even inside dollar quotes) as placeholders, so the text is a query part that renders itself
     * verbatim and is never parsed; the session executes steps as static statements, so the driver does not treat
     * {@code ?} (jsonb operators) as a bind marker either.
     */
    public Query verbatim(String statement) {
        return DSL.query("{0}", new Verbatim(statement));
    }

    // ---- shared pieces --------------------------------------------------------------------------------------------

    /** Attribute keywords of CREATE/ALTER ROLE; CockroachDB renders fewer. */
    protected List<QueryPart> roleClauses(RoleOptions o) {
        List<QueryPart> clauses = new ArrayList<>();
        flag(clauses, o.login(), "LOGIN", "NOLOGIN");
        flag(clauses, o.superuser(), "SUPERUSER", "NOSUPERUSER");
        flag(clauses, o.createDb(), "CREATEDB", "NOCREATEDB");
        flag(clauses, o.createRole(), "CREATEROLE", "NOCREATEROLE");
        flag(clauses, o.inherit(), "INHERIT", "NOINHERIT");
        flag(clauses, o.replication(), "REPLICATION", "NOREPLICATION");
        flag(clauses, o.bypassRls(), "BYPASSRLS", "NOBYPASSRLS");
        limitAndValidity(clauses, o);
        return clauses;
    }

    protected static void limitAndValidity(List<QueryPart> clauses, RoleOptions o) {
        if (o.connectionLimit() != null) {
            clauses.add(sql("CONNECTION LIMIT {0}", inline(o.connectionLimit())));
        }
        if (o.validUntil() != null) {
            clauses.add(sql("VALID UNTIL {0}", inline(o.validUntil())));
        }
    }

    protected static void flag(List<QueryPart> clauses, Boolean value, String yes, String no) {
        if (value != null) {
            clauses.add(keyword(value ? yes : no));
        }
    }

    /** Parts separated by single spaces, through a constant template (never string concatenation). */
    protected static QueryPart spaced(List<QueryPart> parts) {
        QueryPart joined = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            joined = sql("{0} {1}", joined, parts.get(i));
        }
        return joined;
    }

    protected static Keyword bool(boolean value) {
        return keyword(value ? "TRUE" : "FALSE");
    }

    private static QueryPart on(GrantTarget target) {
        Name schema = name(target.schema());
        return switch (target.kind()) {
            case DATABASE -> sql("DATABASE {0}", name(target.database()));
            case SCHEMA -> sql("SCHEMA {0}", schema);
            case TABLE ->
                target.all()
                        ? sql("ALL TABLES IN SCHEMA {0}", schema)
                        : sql("TABLE {0}", name(target.schema(), target.object()));
            case SEQUENCE ->
                target.all()
                        ? sql("ALL SEQUENCES IN SCHEMA {0}", schema)
                        : sql("SEQUENCE {0}", name(target.schema(), target.object()));
            case FUNCTION ->
                target.all()
                        ? sql("ALL FUNCTIONS IN SCHEMA {0}", schema)
                        : sql("FUNCTION {0}", name(target.schema(), target.object()));
            case TYPE -> sql("TYPE {0}", name(target.schema(), target.object()));
        };
    }

    private static Privilege[] privileges(Set<String> privileges) {
        return PostgresPrivileges.sorted(checked(privileges)).stream()
                .map(DSL::privilege)
                .toArray(Privilege[]::new);
    }

    private static QueryPart keywords(Set<String> privileges) {
        return DSL.list(PostgresPrivileges.sorted(checked(privileges)).stream()
                .map(DSL::keyword)
                .toList());
    }

    /** The last guard: a privilege reaches SQL only if it is one of the allowlist's canonical words. */
    private static Set<String> checked(Set<String> privileges) {
        if (privileges.isEmpty()) {
            throw new IllegalArgumentException("no privileges");
        }
        for (String p : privileges) {
            if (!PostgresPrivileges.canonical(p).map(p::equals).orElse(false)) {
                throw new IllegalArgumentException("privilege not in the allowlist");
            }
        }
        return privileges;
    }

    private static Keyword objectTypeKeyword(DefaultPrivilegeObjectType type) {
        return switch (type) {
            case DEFAULT_PRIVILEGE_OBJECT_TYPE_TABLES -> keyword("TABLES");
            case DEFAULT_PRIVILEGE_OBJECT_TYPE_SEQUENCES -> keyword("SEQUENCES");
            case DEFAULT_PRIVILEGE_OBJECT_TYPE_FUNCTIONS -> keyword("FUNCTIONS");
            case DEFAULT_PRIVILEGE_OBJECT_TYPE_TYPES -> keyword("TYPES");
            default -> throw new IllegalArgumentException("default privilege object type " + type);
        };
    }

    private static Name parameterName(String parameter) {
        return name(parameter.split("\\.", -1));
    }

    /** Renders its text unparsed; see {@link #verbatim}. */
    private static final class Verbatim extends CustomQueryPart {
        private final String text;

        Verbatim(String text) {
            this.text = text;
        }

        @Override
        public void accept(Context<?> ctx) {
            ctx.sql(text);
        }
    }
}
