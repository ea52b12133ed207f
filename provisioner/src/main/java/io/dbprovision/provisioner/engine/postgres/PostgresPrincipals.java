package io.dbprovision.provisioner.engine.postgres;

import io.dbprovision.proto.engine.v1alpha1.ObserveRoleResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveUserResponse;
import io.dbprovision.proto.engine.v1alpha1.OwnedObject;
import io.dbprovision.proto.engine.v1alpha1.RoleDefinition;
import io.dbprovision.proto.engine.v1alpha1.RoleState;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.proto.engine.v1alpha1.UserState;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import io.dbprovision.proto.v1alpha1.Identifier;
import io.dbprovision.proto.v1alpha1.PostgresGrantConfig;
import io.dbprovision.proto.v1alpha1.PostgresRoleConfig;
import io.dbprovision.proto.v1alpha1.PostgresUserConfig;
import io.dbprovision.provisioner.engine.EngineSession;
import io.dbprovision.provisioner.engine.Step;
import io.dbprovision.provisioner.engine.diff.DriftDiffs;
import io.dbprovision.provisioner.engine.password.ScramSha256;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Users and roles of PostgreSQL-dialect engines (both are roles there; a user logs in): create with the attributes
 * of the definition, alter only the attributes that differ, grant missing memberships (extra ones are only reported,
 * as destructive drift; RevokeGrants removes them when asked), set session parameters, and set the password as a
 * SCRAM-SHA-256 verifier only when the stored one does not match. Dropping reassigns and drops what the role owns in
 * every database where it owns or holds something, then drops it.
 */
final class PostgresPrincipals {
    private static final OffsetDateTime INFINITY_THRESHOLD = OffsetDateTime.of(9999, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private final PostgresFlavor flavor;
    private final PostgresLimits limits;
    private final PostgresGrants grants;

    PostgresPrincipals(PostgresFlavor flavor, PostgresLimits limits, PostgresGrants grants) {
        this.flavor = flavor;
        this.limits = limits;
        this.grants = grants;
    }

    /** What a user or role definition asks, normalised: attributes (null = no opinion), memberships, parameters. */
    private record Desired(
            String name,
            RoleOptions options,
            List<String> inRoles,
            Map<String, String> parameters,
            boolean hasOpinion) {}

    // ---- users ----------------------------------------------------------------------------------------------------

    private Desired desired(EngineSession session, UserDefinition u) {
        limits.name("user.name", Identifier.IDENTIFIER_USER, u.getName());
        PostgresUserConfig pg = u.getPostgres();
        validateCommon("user.postgres", pg.getInRolesList(), pg.getConfigParametersMap());
        if (!pg.getValidUntil().isEmpty()) {
            limits.timestamp("user.postgres.validUntil", pg.getValidUntil());
        }
        RoleOptions o = new RoleOptions(
                pg.hasLogin() ? pg.getLogin() : Boolean.TRUE,
                pg.hasSuperuser() ? pg.getSuperuser() : null,
                pg.hasCreateDb() ? pg.getCreateDb() : null,
                pg.hasCreateRole() ? pg.getCreateRole() : null,
                pg.hasInherit() ? pg.getInherit() : null,
                pg.hasReplication() ? pg.getReplication() : null,
                pg.hasBypassRls() ? pg.getBypassRls() : null,
                pg.hasConnectionLimit() ? pg.getConnectionLimit() : null,
                pg.getValidUntil().isEmpty() ? null : pg.getValidUntil());
        return new Desired(
                u.getName(), supported(session, o), pg.getInRolesList(), pg.getConfigParametersMap(), u.hasPostgres());
    }

    /** Makes the user so; when it created it, answers its state read right after on the call's admin connection. */
    Optional<ObserveUserResponse> ensureUser(EngineSession session, UserDefinition u) {
        Desired d = desired(session, u);
        boolean existed = ensure(
                session,
                d,
                u.getPassword(),
                u.hasPostgres() && u.getPostgres().getValidUntil().isEmpty(),
                "user");
        return existed || session.validateOnly() ? Optional.empty() : Optional.of(observeUser(session, u));
    }

    ObserveUserResponse observeUser(EngineSession session, UserDefinition u) {
        Desired d = desired(session, u);
        PostgresCatalog catalog = flavor.catalog();
        Optional<PostgresCatalog.RoleState> found =
                session.read(EngineSession.ADMIN_DATABASE, dsl -> catalog.roleState(dsl, u.getName()));
        if (found.isEmpty()) {
            return ObserveUserResponse.newBuilder().setExists(false).build();
        }
        PostgresCatalog.RoleRow r = found.get().row();
        List<String> memberOf = found.get().memberOf();
        Map<String, String> settings = found.get().settings();
        PostgresUserConfig.Builder state = PostgresUserConfig.newBuilder()
                .setConnectionLimit(r.connectionLimit())
                .setValidUntil(validUntil(r.validUntil()))
                .setSuperuser(r.superuser())
                .setCreateDb(r.createDb())
                .setCreateRole(r.createRole())
                .setInherit(r.inherit())
                .setLogin(r.login())
                .setReplication(r.replication())
                .setBypassRls(r.bypassRls())
                .addAllInRoles(memberOf)
                .putAllConfigParameters(settings);
        UserState.Builder actual = UserState.newBuilder().setName(r.name()).setPostgres(state);
        List<DriftDiff> diffs = diffs(
                d,
                r,
                memberOf,
                settings,
                u.hasPostgres() && u.getPostgres().getValidUntil().isEmpty());
        if (!u.getPassword().isEmpty() && session.read(EngineSession.ADMIN_DATABASE, catalog::canReadVerifiers)) {
            boolean matches = session.read(EngineSession.ADMIN_DATABASE, dsl -> catalog.verifier(dsl, u.getName()))
                    .map(v -> ScramSha256.matches(v, u.getPassword()))
                    .orElse(false);
            actual.setPasswordMatches(matches);
            if (!matches) {
                diffs.add(DriftDiffs.plain("password", Step.REDACTED, Step.REDACTED));
            }
        }
        return ObserveUserResponse.newBuilder()
                .setExists(true)
                .setActual(actual)
                .addAllDiffs(diffs)
                .addAllOwnedObjects(ownedObjects(session, u.getName()))
                .build();
    }

    // ---- roles ----------------------------------------------------------------------------------------------------

    private Desired desired(EngineSession session, RoleDefinition role) {
        limits.name("role.name", Identifier.IDENTIFIER_ROLE, role.getName());
        PostgresRoleConfig pg = role.getPostgres();
        validateCommon("role.postgres", pg.getInRolesList(), Map.of());
        RoleOptions o = new RoleOptions(
                pg.hasLogin() ? pg.getLogin() : null,
                pg.hasSuperuser() ? pg.getSuperuser() : null,
                pg.hasCreateDb() ? pg.getCreateDb() : null,
                pg.hasCreateRole() ? pg.getCreateRole() : null,
                pg.hasInherit() ? pg.getInherit() : null,
                pg.hasReplication() ? pg.getReplication() : null,
                pg.hasBypassRls() ? pg.getBypassRls() : null,
                null,
                null);
        return new Desired(role.getName(), supported(session, o), pg.getInRolesList(), Map.of(), role.hasPostgres());
    }

    private GrantWant roleGrants(EngineSession session, RoleDefinition role) {
        int version = session.read(EngineSession.ADMIN_DATABASE, flavor.catalog()::serverVersionNum);
        return grants.expand(
                "role.postgres",
                PostgresGrantConfig.newBuilder()
                        .addAllGrants(role.getPostgres().getGrantsList())
                        .build(),
                version);
    }

    void ensureRole(EngineSession session, RoleDefinition role) {
        Desired d = desired(session, role);
        GrantWant want = roleGrants(session, role);
        boolean existed = ensure(session, d, "", false, "role");
        if (existed) {
            grants.apply(session, role.getName(), want, false);
        } else {
            // A new role holds nothing yet; reading its privileges would only find a role that may not exist in a plan.
            grants.plan(session, role.getName(), want, GrantWant.empty(), false);
        }
    }

    ObserveRoleResponse observeRole(EngineSession session, RoleDefinition role) {
        Desired d = desired(session, role);
        GrantWant want = roleGrants(session, role);
        PostgresCatalog catalog = flavor.catalog();
        Optional<PostgresCatalog.RoleRow> row =
                session.read(EngineSession.ADMIN_DATABASE, dsl -> catalog.role(dsl, role.getName()));
        if (row.isEmpty()) {
            return ObserveRoleResponse.newBuilder().setExists(false).build();
        }
        PostgresCatalog.RoleRow r = row.get();
        List<String> memberOf =
                session.read(EngineSession.ADMIN_DATABASE, dsl -> catalog.memberOf(dsl, role.getName()));
        List<DriftDiff> diffs = diffs(d, r, memberOf, Map.of(), false);
        GrantWant actual = grants.observe(session, role.getName(), want, true);
        // Memberships are inRoles here (compared above), not grant roles.
        actual.roles().clear();
        diffs.addAll(grants.diffs(want, actual));
        var held = grants.observeResponse(
                        session,
                        io.dbprovision.proto.engine.v1alpha1.GrantSet.newBuilder()
                                .setGrantee(role.getName())
                                .build(),
                        want)
                .getHeld()
                .getPostgres();
        return ObserveRoleResponse.newBuilder()
                .setExists(true)
                .setActual(RoleState.newBuilder()
                        .setName(r.name())
                        .setPostgres(PostgresRoleConfig.newBuilder()
                                .setLogin(r.login())
                                .setInherit(r.inherit())
                                .setCreateDb(r.createDb())
                                .setCreateRole(r.createRole())
                                .setSuperuser(r.superuser())
                                .setReplication(r.replication())
                                .setBypassRls(r.bypassRls())
                                .addAllInRoles(memberOf)
                                .addAllGrants(held.getGrantsList())))
                .addAllDiffs(diffs)
                .build();
    }

    // ---- shared ---------------------------------------------------------------------------------------------------

    /** Creates or alters the role; returns whether it existed. */
    private boolean ensure(EngineSession session, Desired d, String password, boolean resetValidUntil, String what) {
        PostgresCatalog catalog = flavor.catalog();
        PostgresStatements sql = flavor.statements();
        String name = d.name();
        // Memberships and settings come with the role (one read); the steps below change neither before they are used.
        Optional<PostgresCatalog.RoleState> found =
                session.read(EngineSession.ADMIN_DATABASE, dsl -> catalog.roleState(dsl, name));
        Optional<PostgresCatalog.RoleRow> row = found.map(PostgresCatalog.RoleState::row);
        List<String> memberOf = List.of();
        Map<String, String> settings = Map.of();
        if (row.isEmpty()) {
            RoleOptions create = d.options();
            if ("role".equals(what) && create.login() == null) {
                create = create.withLogin(false);
            }
            RoleOptions options = create;
            if (password.isEmpty()) {
                session.run(Step.of("create " + what + " " + name, sql.createRole(name, options, null)));
            } else {
                session.run(Step.withSecret(
                        EngineSession.ADMIN_DATABASE,
                        "create " + what + " " + name,
                        secret -> sql.createRole(name, options, secret),
                        ScramSha256.verifier(password)));
            }
        } else {
            PostgresCatalog.RoleRow r = row.get();
            RoleOptions change = changes(d.options(), r, resetValidUntil);
            if (!change.empty()) {
                session.run(Step.of("alter " + what + " " + name, sql.alterRole(name, change)));
            }
            if (!password.isEmpty()) {
                boolean readable = session.read(EngineSession.ADMIN_DATABASE, catalog::canReadVerifiers);
                boolean matches = readable
                        && session.read(EngineSession.ADMIN_DATABASE, dsl -> catalog.verifier(dsl, name))
                                .map(v -> ScramSha256.matches(v, password))
                                .orElse(false);
                if (!readable) {
                    session.note("the admin cannot read pg_authid: the password of " + name
                            + " was set without comparing it with the stored one");
                }
                if (!matches) {
                    session.run(Step.withSecret(
                            EngineSession.ADMIN_DATABASE,
                            "set password of " + what + " " + name,
                            secret -> sql.alterRolePassword(name, secret),
                            ScramSha256.verifier(password)));
                }
            }
            memberOf = found.get().memberOf();
            settings = found.get().settings();
        }
        for (String role : new LinkedHashSet<>(d.inRoles())) {
            if (!memberOf.contains(role)) {
                session.run(Step.of("grant role " + role + " to " + name, sql.grantRole(role, name)));
            }
        }
        Map<String, String> current = settings;
        d.parameters().forEach((key, value) -> {
            if (!value.equals(current.get(key.toLowerCase(Locale.ROOT))) && !value.equals(current.get(key))) {
                session.run(Step.of("set " + key + " for " + name, sql.alterRoleSet(name, key, value)));
            }
        });
        return row.isPresent();
    }

    /** Only the attributes that differ from the catalog row. */
    private static RoleOptions changes(RoleOptions want, PostgresCatalog.RoleRow r, boolean resetValidUntil) {
        RoleOptions c = RoleOptions.NONE;
        if (want.login() != null && want.login() != r.login()) c = c.withLogin(want.login());
        if (want.superuser() != null && want.superuser() != r.superuser()) c = c.withSuperuser(want.superuser());
        if (want.createDb() != null && want.createDb() != r.createDb()) c = c.withCreateDb(want.createDb());
        if (want.createRole() != null && want.createRole() != r.createRole()) c = c.withCreateRole(want.createRole());
        if (want.inherit() != null && want.inherit() != r.inherit()) c = c.withInherit(want.inherit());
        if (want.replication() != null && want.replication() != r.replication()) {
            c = c.withReplication(want.replication());
        }
        if (want.bypassRls() != null && want.bypassRls() != r.bypassRls()) c = c.withBypassRls(want.bypassRls());
        if (want.connectionLimit() != null && want.connectionLimit() != r.connectionLimit()) {
            c = c.withConnectionLimit(want.connectionLimit());
        }
        if (want.validUntil() != null && !sameInstant(want.validUntil(), r.validUntil())) {
            c = c.withValidUntil(want.validUntil());
        } else if (want.validUntil() == null && resetValidUntil && finite(r.validUntil())) {
            c = c.withValidUntil("infinity");
        }
        return c;
    }

    private static List<DriftDiff> diffs(
            Desired d,
            PostgresCatalog.RoleRow r,
            List<String> memberOf,
            Map<String, String> settings,
            boolean resetValidUntil) {
        List<DriftDiff> diffs = new ArrayList<>();
        RoleOptions c = changes(d.options(), r, resetValidUntil);
        if (c.connectionLimit() != null)
            diffs.add(DriftDiffs.plain("connectionLimit", c.connectionLimit(), r.connectionLimit()));
        if (c.validUntil() != null)
            diffs.add(DriftDiffs.plain("validUntil", d.options().validUntil(), validUntil(r.validUntil())));
        if (c.login() != null) diffs.add(DriftDiffs.plain("login", c.login(), r.login()));
        if (c.createDb() != null) diffs.add(DriftDiffs.plain("createdb", c.createDb(), r.createDb()));
        if (c.createRole() != null) diffs.add(DriftDiffs.plain("createrole", c.createRole(), r.createRole()));
        if (c.inherit() != null) diffs.add(DriftDiffs.plain("inherit", c.inherit(), r.inherit()));
        if (c.replication() != null) diffs.add(DriftDiffs.plain("replication", c.replication(), r.replication()));
        if (c.bypassRls() != null) diffs.add(DriftDiffs.plain("bypassrls", c.bypassRls(), r.bypassRls()));
        if (c.superuser() != null) diffs.add(DriftDiffs.destructive("superuser", c.superuser(), r.superuser()));
        Set<String> missing = new TreeSet<>(d.inRoles());
        missing.removeAll(memberOf);
        if (!missing.isEmpty()) diffs.add(DriftDiffs.plain("inRoles.missing", missing, memberOf));
        if (d.hasOpinion()) {
            Set<String> extra = new TreeSet<>(memberOf);
            extra.removeAll(d.inRoles());
            if (!extra.isEmpty()) diffs.add(DriftDiffs.destructive("inRoles.extra", d.inRoles(), extra));
        }
        d.parameters().forEach((k, v) -> {
            String actual = settings.getOrDefault(k.toLowerCase(Locale.ROOT), settings.get(k));
            if (!v.equals(actual)) diffs.add(DriftDiffs.plain("configParameters." + k, v, actual));
        });
        return diffs;
    }

    void drop(EngineSession session, String field, Identifier kind, String name, String reassignTo) {
        limits.name(field, kind, name);
        limits.reference("reassignOwnedTo", reassignTo, true);
        PostgresCatalog catalog = flavor.catalog();
        PostgresStatements sql = flavor.statements();
        if (session.read(EngineSession.ADMIN_DATABASE, dsl -> catalog.role(dsl, name))
                .isEmpty()) {
            return;
        }
        String admin = session.read(
                EngineSession.ADMIN_DATABASE,
                dsl -> dsl.fetchOne("SELECT current_database()").get(0, String.class));
        List<String> databases = new ArrayList<>();
        databases.add(EngineSession.ADMIN_DATABASE);
        for (String db :
                session.read(EngineSession.ADMIN_DATABASE, dsl -> catalog.databasesWithDependencies(dsl, name))) {
            if (!db.equals(admin)) {
                databases.add(db);
            }
        }
        for (String db : databases) {
            String where = db.isEmpty() ? admin : db;
            session.run(
                    Step.in(db, "reassign objects of " + name + " in " + where, sql.reassignOwned(name, reassignTo)));
            session.run(Step.in(db, "drop privileges of " + name + " in " + where, sql.dropOwned(name)));
        }
        session.run(
                Step.of("drop " + (kind == Identifier.IDENTIFIER_USER ? "user " : "role ") + name, sql.dropRole(name)));
    }

    private List<OwnedObject> ownedObjects(EngineSession session, String name) {
        PostgresCatalog catalog = flavor.catalog();
        List<OwnedObject> owned = new ArrayList<>();
        for (String db : session.read(EngineSession.ADMIN_DATABASE, dsl -> catalog.ownedDatabases(dsl, name))) {
            owned.add(OwnedObject.newBuilder()
                    .setDatabase(db)
                    .setName(db)
                    .setType("database")
                    .build());
        }
        String admin = session.read(
                EngineSession.ADMIN_DATABASE,
                dsl -> dsl.fetchOne("SELECT current_database()").get(0, String.class));
        Set<String> databases = new LinkedHashSet<>();
        databases.add(admin);
        databases.addAll(
                session.read(EngineSession.ADMIN_DATABASE, dsl -> catalog.databasesWithDependencies(dsl, name)));
        for (String db : databases) {
            owned.addAll(session.read(
                    db.equals(admin) ? EngineSession.ADMIN_DATABASE : db, dsl -> catalog.ownedObjects(dsl, db, name)));
        }
        return owned;
    }

    private void validateCommon(String field, List<String> inRoles, Map<String, String> parameters) {
        for (int i = 0; i < inRoles.size(); i++) {
            limits.reference(field + ".inRoles[" + i + "]", inRoles.get(i), false);
        }
        parameters.forEach((k, v) -> {
            limits.reference(field + ".configParameters", k, false);
            limits.literal(field + ".configParameters[" + k + "]", v);
        });
    }

    /** Drops the attributes the flavor does not have, with a note. */
    private RoleOptions supported(EngineSession session, RoleOptions o) {
        if (flavor.fullRoleAttributes()) {
            return o;
        }
        if (o.superuser() != null || o.inherit() != null || o.replication() != null || o.bypassRls() != null) {
            session.note("superuser, inherit, replication and bypassRLS do not exist on " + flavor.engine()
                    + " and were left out");
        }
        return o.withSuperuser(null).withInherit(null).withReplication(null).withBypassRls(null);
    }

    private static boolean sameInstant(String rfc3339, OffsetDateTime actual) {
        if (actual == null) {
            return false;
        }
        return OffsetDateTime.parse(rfc3339).toInstant().equals(actual.toInstant());
    }

    private static boolean finite(OffsetDateTime t) {
        return t != null && t.isBefore(INFINITY_THRESHOLD);
    }

    private static String validUntil(OffsetDateTime t) {
        return finite(t) ? t.withOffsetSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) : "";
    }
}
