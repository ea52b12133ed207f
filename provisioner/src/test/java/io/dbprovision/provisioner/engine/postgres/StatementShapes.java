package io.dbprovision.provisioner.engine.postgres;

import io.dbprovision.proto.v1alpha1.DefaultPrivilegeObjectType;
import io.dbprovision.provisioner.engine.Step;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.Query;

/** Every statement shape of a PostgreSQL-dialect statements class with sample arguments, secrets redacted. */
final class StatementShapes {
    private StatementShapes() {}

    static Map<String, List<Query>> of(PostgresStatements s) {
        Map<String, List<Query>> shapes = new LinkedHashMap<>();
        GrantTarget table = GrantTarget.object(GrantTarget.Kind.TABLE, "app", "public", "orders");
        shapes.put(
                "create-database",
                List.of(
                        s.createDatabase("app", new DatabaseOptions("", "", "", "", "", "", null, null)),
                        s.createDatabase(
                                "app",
                                new DatabaseOptions(
                                        "app_owner",
                                        "template0",
                                        "UTF8",
                                        "C.UTF-8",
                                        "C.UTF-8",
                                        "pg_default",
                                        20,
                                        false))));
        shapes.put(
                "alter-database",
                List.of(
                        s.alterDatabaseOwner("app", "app_owner"),
                        s.alterDatabaseConnectionLimit("app", -1),
                        s.alterDatabaseIsTemplate("app", true)));
        shapes.put("terminate-sessions", List.of(s.terminateSessions("app")));
        shapes.put("drop-database", List.of(s.dropDatabase("app")));
        shapes.put(
                "extension",
                List.of(
                        s.createExtension("pgcrypto", "", ""),
                        s.createExtension("pgcrypto", "public", "1.3"),
                        s.alterExtensionVersion("pgcrypto", "1.3")));
        shapes.put(
                "schema",
                List.of(
                        s.createSchema("reporting", ""),
                        s.createSchema("reporting", "app_owner"),
                        s.alterSchemaOwner("reporting", "app_owner")));
        RoleOptions all = new RoleOptions(true, false, true, false, true, false, false, 5, "2027-01-01T00:00:00Z");
        shapes.put(
                "create-role",
                List.of(
                        s.createRole("reader", RoleOptions.NONE, null),
                        s.createRole("reader", RoleOptions.NONE.withLogin(false), null),
                        Step.withSecret("", "create user", v -> s.createRole("app", all, v), "SCRAM-SHA-256$4096:x$y:z")
                                .redacted()));
        shapes.put(
                "alter-role",
                List.of(
                        s.alterRole("app", all),
                        s.alterRole("app", RoleOptions.NONE.withValidUntil("infinity")),
                        Step.withSecret("", "password", v -> s.alterRolePassword("app", v), "SCRAM-SHA-256$4096:x$y:z")
                                .redacted(),
                        s.alterRoleSet("app", "statement_timeout", "5s"),
                        s.alterRoleSet("app", "myapp.tenant", "a'b")));
        shapes.put("membership", List.of(s.grantRole("reader", "app"), s.revokeRole("reader", "app")));
        shapes.put(
                "drop-role",
                List.of(
                        s.reassignOwned("app", ""),
                        s.reassignOwned("app", "app_owner"),
                        s.dropOwned("app"),
                        s.dropRole("app")));
        shapes.put("set-role", List.of(s.setRole("app_owner")));
        Set<String> select = Set.of("SELECT");
        shapes.put(
                "grant",
                List.of(
                        s.grant(Set.of("CONNECT", "TEMPORARY"), GrantTarget.database("app"), "app", false),
                        s.grant(Set.of("USAGE", "CREATE"), GrantTarget.schema("app", "public"), "app", false),
                        s.grant(Set.of("SELECT", "INSERT"), table, "app", false),
                        s.grant(Set.of("INSERT"), table, "app", true),
                        s.grant(select, GrantTarget.object(GrantTarget.Kind.TABLE, "app", "public", "*"), "app", false),
                        s.grant(
                                Set.of("USAGE"),
                                GrantTarget.object(GrantTarget.Kind.SEQUENCE, "app", "public", "ids"),
                                "app",
                                false),
                        s.grant(
                                Set.of("USAGE"),
                                GrantTarget.object(GrantTarget.Kind.SEQUENCE, "app", "public", "*"),
                                "app",
                                true),
                        s.grant(
                                Set.of("EXECUTE"),
                                GrantTarget.object(GrantTarget.Kind.FUNCTION, "app", "public", "f"),
                                "app",
                                false),
                        s.grant(
                                Set.of("EXECUTE"),
                                GrantTarget.object(GrantTarget.Kind.FUNCTION, "app", "public", "*"),
                                "app",
                                false)));
        shapes.put(
                "revoke",
                List.of(
                        s.revoke(Set.of("CONNECT"), GrantTarget.database("app"), "app"),
                        s.revoke(Set.of("USAGE"), GrantTarget.schema("app", "public"), "app"),
                        s.revoke(select, table, "app"),
                        s.revoke(select, GrantTarget.object(GrantTarget.Kind.TABLE, "app", "public", "*"), "app"),
                        s.revokeGrantOption(Set.of("INSERT"), table, "app")));
        shapes.put(
                "default-privileges",
                List.of(
                        s.grantDefaultPrivileges(
                                "app_owner",
                                "public",
                                DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_TABLES,
                                Set.of("SELECT", "UPDATE"),
                                "app"),
                        s.grantDefaultPrivileges(
                                "app_owner",
                                "public",
                                DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_SEQUENCES,
                                Set.of("USAGE"),
                                "app"),
                        s.grantDefaultPrivileges(
                                "app_owner",
                                "public",
                                DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_FUNCTIONS,
                                Set.of("EXECUTE"),
                                "app"),
                        s.revokeDefaultPrivileges(
                                "app_owner",
                                "public",
                                DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_TYPES,
                                Set.of("USAGE"),
                                "app")));
        // The auto-ownership pipeline (§5.1.6): owner role, app user and membership, default privileges both ways.
        Set<String> dml = new java.util.LinkedHashSet<>(List.of("SELECT", "INSERT", "UPDATE", "DELETE"));
        shapes.put(
                "ownership",
                List.of(
                        s.createRole(
                                "db_app_owner",
                                RoleOptions.NONE.withLogin(false).withInherit(true),
                                null),
                        s.createRole(
                                "db_app_app", RoleOptions.NONE.withLogin(true).withInherit(true), null),
                        s.grantRole("db_app_owner", "db_app_app"),
                        s.grantDefaultPrivileges(
                                "db_app_owner",
                                "public",
                                DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_TABLES,
                                dml,
                                "db_app_app"),
                        s.grantDefaultPrivileges(
                                "db_app_app",
                                "public",
                                DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_SEQUENCES,
                                Set.of("USAGE", "SELECT"),
                                "db_app_owner")));
        shapes.put(
                "init-sql",
                List.of(s.verbatim("CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT '{0} ?' $$")));
        return shapes;
    }
}
