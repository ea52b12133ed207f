package io.dbprovision.provisioner.engine.postgres;

import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.ObserveRoleResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveUserResponse;
import io.dbprovision.proto.engine.v1alpha1.RoleDefinition;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.proto.v1alpha1.DefaultPrivilegeObjectType;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import io.dbprovision.proto.v1alpha1.Identifier;
import io.dbprovision.proto.v1alpha1.PostgresDatabaseConfig;
import io.dbprovision.proto.v1alpha1.PostgresDatabaseSchema;
import io.dbprovision.proto.v1alpha1.PostgresOwnershipConfig;
import io.dbprovision.proto.v1alpha1.PostgresRoleConfig;
import io.dbprovision.proto.v1alpha1.PostgresUserConfig;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.EngineSession;
import io.dbprovision.provisioner.engine.diff.DriftDiffs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The auto-ownership pipeline of a database ({@code postgres.ownership.autoOwnership}, §5.1.6): a NOLOGIN owner role
 * that owns the database and its unowned schemas, a login application user that is a member of it, and default
 * privileges both ways between the two in public and every listed schema, so objects either creates are usable by
 * the other. It only builds definitions and hands them to {@link PostgresPrincipals} and {@link PostgresGrants}, so it
 * observes and emits only what differs like every other operation, on every flavor (CockroachDB has no INHERIT).
 */
final class PostgresOwnership {
    private static final int MAX_BYTES = 63;
    private static final String FIELD = "database.postgres.ownership";
    private static final Map<DefaultPrivilegeObjectType, List<String>> DEFAULTS = Map.of(
            DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_TABLES,
            List.of("SELECT", "INSERT", "UPDATE", "DELETE"),
            DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_SEQUENCES,
            List.of("USAGE", "SELECT"),
            DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_FUNCTIONS,
            List.of("EXECUTE"));
    private static final List<DefaultPrivilegeObjectType> TYPES = List.of(
            DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_TABLES,
            DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_SEQUENCES,
            DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_FUNCTIONS);

    private final PostgresFlavor flavor;
    private final PostgresLimits limits;
    private final PostgresGrants grants;
    private final PostgresPrincipals principals;

    PostgresOwnership(PostgresFlavor flavor, PostgresLimits limits, PostgresGrants grants) {
        this.flavor = flavor;
        this.limits = limits;
        this.grants = grants;
        this.principals = new PostgresPrincipals(flavor, limits, grants);
    }

    static boolean on(DatabaseDefinition d) {
        return d.getPostgres().getOwnership().getAutoOwnership();
    }

    static String ownerRole(DatabaseDefinition d) {
        String name = d.getPostgres().getOwnership().getRoleName();
        return name.isEmpty() ? cut("db_" + d.getName() + "_owner") : name;
    }

    static String appUser(DatabaseDefinition d) {
        String name = d.getPostgres().getOwnership().getUserName();
        return name.isEmpty() ? cut("db_" + d.getName() + "_app") : name;
    }

    /** At most 63 bytes, never cutting a character in two. */
    static String cut(String name) {
        StringBuilder out = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            String c = new String(Character.toChars(cp));
            int n = c.getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > MAX_BYTES) {
                break;
            }
            out.append(c);
            bytes += n;
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    void validate(DatabaseDefinition d) {
        if (!on(d)) {
            return;
        }
        limits.name(FIELD + ".roleName", Identifier.IDENTIFIER_ROLE, ownerRole(d));
        limits.name(FIELD + ".userName", Identifier.IDENTIFIER_USER, appUser(d));
        if (ownerRole(d).equals(appUser(d))) {
            throw new EngineException.InvalidDefinition(FIELD + ".userName", "must differ from the owner role name");
        }
    }

    /**
     * The definition the database steps work from: the owner role owns the database (spec owner overridden) and every
     * listed schema that names no owner.
     */
    DatabaseDefinition effective(DatabaseDefinition d) {
        if (!on(d)) {
            return d;
        }
        String owner = ownerRole(d);
        PostgresDatabaseConfig.Builder pg = d.getPostgres().toBuilder();
        for (int i = 0; i < pg.getSchemasCount(); i++) {
            PostgresDatabaseSchema s = pg.getSchemas(i);
            if (s.getOwner().isEmpty()) {
                pg.setSchemas(i, s.toBuilder().setOwner(owner));
            }
        }
        return d.toBuilder().setOwner(owner).setPostgres(pg).build();
    }

    private RoleDefinition roleDefinition(DatabaseDefinition d) {
        PostgresRoleConfig.Builder pg = PostgresRoleConfig.newBuilder().setLogin(false);
        if (flavor.fullRoleAttributes()) {
            pg.setInherit(true);
        }
        return RoleDefinition.newBuilder().setName(ownerRole(d)).setPostgres(pg).build();
    }

    private UserDefinition userDefinition(DatabaseDefinition d) {
        PostgresUserConfig.Builder pg =
                PostgresUserConfig.newBuilder().setLogin(true).addInRoles(ownerRole(d));
        if (flavor.fullRoleAttributes()) {
            pg.setInherit(true);
        }
        return UserDefinition.newBuilder().setName(appUser(d)).setPostgres(pg).build();
    }

    /** Before the database: the owner role it is created with. */
    void ensureOwnerRole(EngineSession session, DatabaseDefinition d) {
        if (on(d)) {
            principals.ensureRole(session, roleDefinition(d));
        }
    }

    /** After the database and its schemas: the application user, its membership, the default privileges. */
    void ensureAppUser(EngineSession session, DatabaseDefinition d, boolean freshDatabase) {
        if (!on(d)) {
            return;
        }
        String app = appUser(d);
        boolean exists = session.read(
                        EngineSession.ADMIN_DATABASE, dsl -> flavor.catalog().role(dsl, app))
                .isPresent();
        if (!exists) {
            session.note("user " + app + " is created without a password; its credential is managed separately");
        }
        principals.ensureUser(session, userDefinition(d));
        defaultPrivileges(session, d).forEach((grantee, want) -> {
            if (freshDatabase) {
                grants.plan(session, grantee, want, GrantWant.empty(), false);
            } else {
                grants.apply(session, grantee, want, false);
            }
        });
    }

    /** Forward (FOR ROLE owner TO app) and reverse (FOR ROLE app TO owner), by receiving role. */
    private Map<String, GrantWant> defaultPrivileges(EngineSession session, DatabaseDefinition d) {
        Map<String, GrantWant> byGrantee = new LinkedHashMap<>();
        PostgresOwnershipConfig o = d.getPostgres().getOwnership();
        if (o.hasSetDefaultPrivileges() && !o.getSetDefaultPrivileges()) {
            return byGrantee;
        }
        int version = session.read(EngineSession.ADMIN_DATABASE, flavor.catalog()::serverVersionNum);
        String owner = ownerRole(d);
        String app = appUser(d);
        Set<String> schemas = new LinkedHashSet<>();
        schemas.add("public");
        d.getPostgres().getSchemasList().forEach(s -> schemas.add(s.getName()));
        for (String[] pair : List.of(new String[] {owner, app}, new String[] {app, owner})) {
            GrantWant want = byGrantee.computeIfAbsent(pair[1], g -> GrantWant.empty());
            for (String schema : schemas) {
                for (DefaultPrivilegeObjectType type : TYPES) {
                    grants.expandDefault(FIELD, d.getName(), schema, pair[0], type, DEFAULTS.get(type), version, want);
                }
            }
        }
        return byGrantee;
    }

    /** What is missing of the pipeline: role, user, membership, default privileges; attribute drift of both. */
    List<DriftDiff> diffs(EngineSession session, DatabaseDefinition d) {
        List<DriftDiff> diffs = new ArrayList<>();
        if (!on(d)) {
            return diffs;
        }
        String owner = ownerRole(d);
        String app = appUser(d);
        ObserveRoleResponse role = principals.observeRole(session, roleDefinition(d));
        if (!role.getExists()) {
            diffs.add(DriftDiffs.plain("ownership.role.missing", owner, ""));
        } else {
            role.getDiffsList().forEach(x -> diffs.add(prefixed("ownership.role.", x)));
        }
        ObserveUserResponse user = principals.observeUser(session, userDefinition(d));
        if (!user.getExists()) {
            diffs.add(DriftDiffs.plain("ownership.user.missing", app, ""));
            diffs.add(DriftDiffs.plain("ownership.membership.missing", owner, ""));
        } else {
            for (DriftDiff x : user.getDiffsList()) {
                diffs.add(
                        x.getField().equals("inRoles.missing")
                                ? x.toBuilder()
                                        .setField("ownership.membership.missing")
                                        .build()
                                : prefixed("ownership.user.", x));
            }
        }
        defaultPrivileges(session, d).forEach((grantee, want) -> {
            GrantWant actual = grants.observe(session, grantee, want, false);
            grants.diffs(want, actual).stream()
                    .filter(x -> x.getField().startsWith("defaultPrivileges.")
                            && x.getField().endsWith(".missing"))
                    .map(x -> x.toBuilder()
                            .setField(x.getField()
                                    .replaceFirst(
                                            "^defaultPrivileges\\.(.*)\\.missing$",
                                            "ownership.defaultPrivileges.missing." + grantee + ".$1"))
                            .build())
                    .forEach(diffs::add);
        });
        return diffs;
    }

    private static DriftDiff prefixed(String prefix, DriftDiff diff) {
        return diff.toBuilder().setField(prefix + diff.getField()).build();
    }
}
