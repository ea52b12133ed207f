package io.dbprovision.provisioner.engine.postgres;

import io.dbprovision.proto.engine.v1alpha1.GrantSet;
import io.dbprovision.proto.engine.v1alpha1.ObserveGrantsResponse;
import io.dbprovision.proto.v1alpha1.DefaultPrivilegeObjectType;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import io.dbprovision.proto.v1alpha1.PostgresDefaultPrivilegeGrant;
import io.dbprovision.proto.v1alpha1.PostgresGrant;
import io.dbprovision.proto.v1alpha1.PostgresGrantConfig;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.EngineSession;
import io.dbprovision.provisioner.engine.Step;
import io.dbprovision.provisioner.engine.diff.DriftDiffs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Grants of PostgreSQL and CockroachDB: expands a grant set into concrete privileges per target (database, schema,
 * object, every object of a kind in a schema, default privileges, memberships), reads what the grantee holds, and
 * plans exactly the GRANTs and REVOKEs that close the gap. Used by ApplyGrants / RevokeGrants / ObserveGrants and by
 * roles' own grants; the same expansion drives plans and drift diffs, so they cannot disagree.
 */
final class PostgresGrants {
    private static final List<GrantTarget.Kind> OBJECT_KINDS =
            List.of(GrantTarget.Kind.TABLE, GrantTarget.Kind.SEQUENCE, GrantTarget.Kind.FUNCTION);

    private final PostgresFlavor flavor;
    private final PostgresLimits limits;

    PostgresGrants(PostgresFlavor flavor, PostgresLimits limits) {
        this.flavor = flavor;
        this.limits = limits;
    }

    // ---- operations ------------------------------------------------------------------------------------------------

    void apply(EngineSession session, String grantee, GrantWant want, boolean revokeUnlisted) {
        plan(session, grantee, want, observe(session, grantee, want, revokeUnlisted), revokeUnlisted);
    }

    /** Emits the steps from {@code actual} to {@code want} (an empty actual: everything, as for a new database). */
    void plan(EngineSession session, String grantee, GrantWant want, GrantWant actual, boolean revokeUnlisted) {
        PostgresStatements sql = flavor.statements();
        for (String role : minus(want.roles(), actual.roles())) {
            session.run(Step.of("grant role " + role + " to " + grantee, sql.grantRole(role, grantee)));
        }
        for (Change c : missing(want, actual)) {
            session.run(new Step(
                    "grant " + String.join(", ", PostgresPrivileges.sorted(c.privileges())) + " on "
                            + describe(c.target()) + " to " + grantee + (c.grantOption() ? " with grant option" : ""),
                    c.target().runIn(),
                    sql.grant(c.privileges(), c.target(), grantee, c.grantOption()),
                    sql.grant(c.privileges(), c.target(), grantee, c.grantOption())));
        }
        want.defaults().forEach((scope, privileges) -> {
            Set<String> missing = minus(privileges, actual.defaults().getOrDefault(scope, Set.of()));
            if (!missing.isEmpty()) {
                session.run(Step.in(
                        scope.database(),
                        "grant default privileges on " + scope.typeWord() + " of " + scope.grantedBy() + " in schema "
                                + scope.schema() + " to " + grantee,
                        sql.grantDefaultPrivileges(scope.grantedBy(), scope.schema(), scope.type(), missing, grantee)));
            }
        });
        if (revokeUnlisted) {
            revokeExtras(session, grantee, want, actual);
        }
    }

    void revoke(EngineSession session, String grantee, GrantWant want) {
        // What the grantee owns it keeps: an owner's privileges are not grants (see put).
        GrantWant actual = observe(session, grantee, want, true, GrantWant.empty());
        PostgresStatements sql = flavor.statements();
        for (String role : intersect(want.roles(), actual.roles())) {
            session.run(Step.of("revoke role " + role + " from " + grantee, sql.revokeRole(role, grantee)));
        }
        want.objects().forEach((target, privileges) -> {
            Set<String> held = intersect(privileges.keySet(), heldAnywhere(actual, target));
            if (!held.isEmpty()) {
                revokeStep(session, grantee, target, held);
            }
        });
        want.defaults().forEach((scope, privileges) -> {
            Set<String> held = intersect(privileges, actual.defaults().getOrDefault(scope, Set.of()));
            if (!held.isEmpty()) {
                revokeDefaults(session, grantee, scope, held);
            }
        });
    }

    ObserveGrantsResponse observeResponse(EngineSession session, GrantSet desired, GrantWant want) {
        String grantee = desired.getGrantee();
        GrantWant actual = observe(session, grantee, want, true);
        List<DriftDiff> diffs = diffs(want, actual);
        GrantSet.Builder held = GrantSet.newBuilder().setGrantee(grantee);
        GrantSet.Builder unlisted = GrantSet.newBuilder().setGrantee(grantee);
        PostgresGrantConfig.Builder heldPg =
                PostgresGrantConfig.newBuilder().addAllRoles(intersect(want.roles(), actual.roles()));
        PostgresGrantConfig.Builder unlistedPg =
                PostgresGrantConfig.newBuilder().addAllRoles(minus(actual.roles(), want.roles()));
        want.objects().forEach((target, privileges) -> {
            Map<String, Boolean> has = actual.objects().getOrDefault(target, Map.of());
            Set<String> both = intersect(privileges.keySet(), has.keySet());
            if (!both.isEmpty()) {
                heldPg.addGrants(toGrant(target, both, both.stream().allMatch(has::get)));
            }
        });
        for (Extra e : extras(want, actual)) {
            unlistedPg.addGrants(toGrant(e.target(), e.privileges(), false));
        }
        want.defaults().forEach((scope, privileges) -> {
            Set<String> both = intersect(privileges, actual.defaults().getOrDefault(scope, Set.of()));
            if (!both.isEmpty()) {
                heldPg.addDefaultPrivileges(toDefault(scope, both));
            }
        });
        actual.defaults().forEach((scope, privileges) -> {
            Set<String> extra = minus(privileges, want.defaults().getOrDefault(scope, Set.of()));
            if (!extra.isEmpty()) {
                unlistedPg.addDefaultPrivileges(toDefault(scope, extra));
            }
        });
        return ObserveGrantsResponse.newBuilder()
                .setHeld(held.setPostgres(heldPg))
                .setUnlisted(unlisted.setPostgres(unlistedPg))
                .addAllDiffs(diffs)
                .build();
    }

    List<DriftDiff> diffs(GrantWant want, GrantWant actual) {
        List<DriftDiff> diffs = new ArrayList<>();
        Set<String> missingRoles = minus(want.roles(), actual.roles());
        if (!missingRoles.isEmpty()) {
            diffs.add(DriftDiffs.plain("roles.missing", missingRoles, actual.roles()));
        }
        Set<String> extraRoles = minus(actual.roles(), want.roles());
        if (!extraRoles.isEmpty()) {
            diffs.add(DriftDiffs.destructive("roles.extra", "", extraRoles));
        }
        for (Change c : missing(want, actual)) {
            Set<String> held =
                    actual.objects().getOrDefault(c.target(), Map.of()).keySet();
            String suffix = c.grantOption() && held.containsAll(c.privileges()) ? ".grantOption.missing" : ".missing";
            diffs.add(DriftDiffs.plain(c.target().field() + suffix, c.privileges(), held));
        }
        for (Extra e : extras(want, actual)) {
            String suffix = e.grantOptionOnly() ? ".grantOption.extra" : ".extra";
            diffs.add(DriftDiffs.destructive(e.target().field() + suffix, "", e.privileges()));
        }
        want.defaults().forEach((scope, privileges) -> {
            Set<String> held = actual.defaults().getOrDefault(scope, Set.of());
            Set<String> missing = minus(privileges, held);
            if (!missing.isEmpty()) {
                diffs.add(DriftDiffs.plain(scope.field() + ".missing", missing, held));
            }
        });
        actual.defaults().forEach((scope, privileges) -> {
            Set<String> extra = minus(privileges, want.defaults().getOrDefault(scope, Set.of()));
            if (!extra.isEmpty()) {
                diffs.add(DriftDiffs.destructive(scope.field() + ".extra", "", extra));
            }
        });
        return diffs;
    }

    // ---- expansion -------------------------------------------------------------------------------------------------

    GrantWant expand(String field, PostgresGrantConfig config, int version) {
        GrantWant want = GrantWant.empty();
        for (int i = 0; i < config.getRolesCount(); i++) {
            limits.reference(field + ".roles[" + i + "]", config.getRoles(i), false);
            want.roles().add(config.getRoles(i));
        }
        for (int i = 0; i < config.getGrantsCount(); i++) {
            expandGrant(field + ".grants[" + i + "]", config.getGrants(i), version, want);
        }
        for (int i = 0; i < config.getDefaultPrivilegesCount(); i++) {
            PostgresDefaultPrivilegeGrant d = config.getDefaultPrivileges(i);
            String f = field + ".defaultPrivileges[" + i + "]";
            expandDefault(
                    f,
                    d.getDatabase(),
                    d.getSchema(),
                    d.getGrantedBy(),
                    d.getObjectType(),
                    d.getPrivilegesList(),
                    version,
                    want);
        }
        return want;
    }

    void expandDefault(
            String f,
            String database,
            String schema,
            String grantedBy,
            DefaultPrivilegeObjectType type,
            List<String> privileges,
            int version,
            GrantWant want) {
        limits.reference(f + ".database", database, false);
        limits.reference(f + ".schema", schema, false);
        limits.reference(f + ".grantedBy", grantedBy, false);
        GrantTarget.Kind kind = switch (type) {
            case DEFAULT_PRIVILEGE_OBJECT_TYPE_TABLES -> GrantTarget.Kind.TABLE;
            case DEFAULT_PRIVILEGE_OBJECT_TYPE_SEQUENCES -> GrantTarget.Kind.SEQUENCE;
            case DEFAULT_PRIVILEGE_OBJECT_TYPE_FUNCTIONS -> GrantTarget.Kind.FUNCTION;
            case DEFAULT_PRIVILEGE_OBJECT_TYPE_TYPES -> GrantTarget.Kind.TYPE;
            default ->
                throw new EngineException.InvalidDefinition(
                        f + ".objectType", "must be tables, sequences, functions or types");
        };
        Set<String> concrete =
                concrete(f + ".privileges", limits.privileges(f + ".privileges", privileges), kind, version);
        want.defaults()
                .computeIfAbsent(
                        new GrantWant.DefaultScope(database, schema, grantedBy, type), s -> new LinkedHashSet<>())
                .addAll(concrete);
    }

    private void expandGrant(String f, PostgresGrant g, int version, GrantWant want) {
        limits.reference(f + ".database", g.getDatabase(), false);
        limits.reference(f + ".schema", g.getSchema(), true);
        Set<String> privileges = limits.privileges(f + ".privileges", g.getPrivilegesList());
        boolean option = g.getWithGrantOption();
        boolean objects = g.getTablesCount() + g.getSequencesCount() + g.getFunctionsCount() > 0;
        if (!objects && g.getSchema().isEmpty()) {
            want.add(
                    GrantTarget.database(g.getDatabase()),
                    concrete(f + ".privileges", privileges, GrantTarget.Kind.DATABASE, version),
                    option);
            return;
        }
        if (!objects) {
            // A schema alone: USAGE/CREATE (and ALL) on the schema, table privileges on every table in it.
            Set<String> onSchema = new LinkedHashSet<>();
            Set<String> onTables = new LinkedHashSet<>();
            for (String p : privileges) {
                if (p.equals("ALL")
                        || PostgresPrivileges.applicable(GrantTarget.Kind.SCHEMA, version)
                                .contains(p)) {
                    onSchema.addAll(PostgresPrivileges.expand(p, GrantTarget.Kind.SCHEMA, version));
                } else if (PostgresPrivileges.TABLE_PRIVILEGES.contains(p)) {
                    onTables.addAll(PostgresPrivileges.expand(p, GrantTarget.Kind.TABLE, version));
                } else {
                    throw new EngineException.InvalidDefinition(
                            f + ".privileges", p + " does not apply to a schema or its tables");
                }
            }
            if (!onSchema.isEmpty()) {
                want.add(GrantTarget.schema(g.getDatabase(), g.getSchema()), onSchema, option);
            }
            if (!onTables.isEmpty()) {
                want.add(
                        GrantTarget.object(GrantTarget.Kind.TABLE, g.getDatabase(), g.getSchema(), GrantTarget.ALL),
                        onTables,
                        option);
            }
            return;
        }
        String schema = g.getSchema().isEmpty() ? "public" : g.getSchema();
        objects(f + ".tables", g.getTablesList(), GrantTarget.Kind.TABLE, g, schema, privileges, version, want);
        objects(
                f + ".sequences",
                g.getSequencesList(),
                GrantTarget.Kind.SEQUENCE,
                g,
                schema,
                privileges,
                version,
                want);
        objects(
                f + ".functions",
                g.getFunctionsList(),
                GrantTarget.Kind.FUNCTION,
                g,
                schema,
                privileges,
                version,
                want);
    }

    private void objects(
            String f,
            List<String> names,
            GrantTarget.Kind kind,
            PostgresGrant g,
            String schema,
            Set<String> privileges,
            int version,
            GrantWant want) {
        for (int i = 0; i < names.size(); i++) {
            String object = names.get(i);
            if (!object.equals(GrantTarget.ALL)) {
                limits.reference(f + "[" + i + "]", object, false);
            }
            want.add(
                    GrantTarget.object(kind, g.getDatabase(), schema, object),
                    concrete(f.substring(0, f.lastIndexOf('.')) + ".privileges", privileges, kind, version),
                    g.getWithGrantOption());
        }
    }

    private static Set<String> concrete(String field, Set<String> privileges, GrantTarget.Kind kind, int version) {
        Set<String> concrete = new LinkedHashSet<>();
        for (String p : privileges) {
            Set<String> expanded = PostgresPrivileges.expand(p, kind, version);
            if (expanded.isEmpty()) {
                throw new EngineException.InvalidDefinition(field, p + " does not apply to a " + kind.word());
            }
            concrete.addAll(expanded);
        }
        return concrete;
    }

    // ---- reading what is held --------------------------------------------------------------------------------------

    /**
     * What the grantee holds on the wanted targets ("*": what every object of the kind holds; vacuously all when
     * there is none), and with {@code wholeScopes} also on every database, schema and object in the scopes the set
     * names, and every default privilege there.
     */
    GrantWant observe(EngineSession session, String grantee, GrantWant want, boolean wholeScopes) {
        return observe(session, grantee, want, wholeScopes, want);
    }

    /** {@code ownedHold}: what the grantee counts as holding on what it owns (see {@link #put}). */
    private GrantWant observe(
            EngineSession session, String grantee, GrantWant want, boolean wholeScopes, GrantWant ownedHold) {
        PostgresCatalog catalog = flavor.catalog();
        GrantWant actual = GrantWant.empty();
        actual.roles().addAll(session.read(EngineSession.ADMIN_DATABASE, dsl -> catalog.memberOf(dsl, grantee)));
        for (String database : want.databases()) {
            GrantTarget onDatabase = GrantTarget.database(database);
            if (wholeScopes || want.objects().containsKey(onDatabase)) {
                put(
                        actual,
                        ownedHold,
                        onDatabase,
                        session.read(
                                EngineSession.ADMIN_DATABASE,
                                dsl -> catalog.databasePrivileges(dsl, database, grantee)));
            }
            Set<String> schemas = want.schemas(database);
            boolean defaults =
                    want.defaults().keySet().stream().anyMatch(d -> d.database().equals(database));
            if (schemas.isEmpty()) {
                continue;
            }
            session.read(database, dsl -> {
                for (String schema : schemas) {
                    GrantTarget onSchema = GrantTarget.schema(database, schema);
                    if (wholeScopes || want.objects().containsKey(onSchema)) {
                        put(actual, ownedHold, onSchema, catalog.schemaPrivileges(dsl, schema, grantee));
                    }
                    for (GrantTarget.Kind kind : OBJECT_KINDS) {
                        List<GrantTarget> named = want.objects().keySet().stream()
                                .filter(t -> t.kind() == kind
                                        && t.database().equals(database)
                                        && t.schema().equals(schema))
                                .toList();
                        if (!wholeScopes && named.isEmpty()) {
                            continue;
                        }
                        Map<String, PostgresCatalog.Acl> objects = catalog.objectPrivileges(dsl, kind, schema, grantee);
                        for (GrantTarget t : named) {
                            if (t.all()) {
                                actual.objects()
                                        .put(
                                                t,
                                                onEvery(
                                                        objects.values(),
                                                        want.objects().get(t)));
                            } else {
                                put(actual, ownedHold, t, objects.getOrDefault(t.object(), NO_ACL));
                            }
                        }
                        if (wholeScopes) {
                            objects.forEach((object, acl) ->
                                    put(actual, ownedHold, GrantTarget.object(kind, database, schema, object), acl));
                        }
                    }
                }
                if (defaults || wholeScopes) {
                    for (PostgresCatalog.DefaultAcl acl : catalog.defaultPrivileges(dsl, grantee)) {
                        var scope = new GrantWant.DefaultScope(
                                database,
                                acl.schema(),
                                acl.grantedBy(),
                                GrantWant.DefaultScope.fromCatalog(acl.objectType()));
                        if (want.defaults().containsKey(scope) || (wholeScopes && schemas.contains(acl.schema()))) {
                            actual.defaults()
                                    .computeIfAbsent(scope, s -> new LinkedHashSet<>())
                                    .add(acl.privilege());
                        }
                    }
                }
                return null;
            });
        }
        return actual;
    }

    private static final PostgresCatalog.Acl NO_ACL = PostgresCatalog.Acl.granted(List.of());

    /**
     * Records what the grantee holds on {@code target}. On what it owns it holds, as far as a grant can tell, exactly
     * what {@code ownedHold} names there (the set being applied: nothing missing, nothing extra; an empty one when
     * revoking: nothing to revoke): granting an owner more changes nothing, and revoking from an owner would take
     * its own table away from it.
     */
    private static void put(GrantWant actual, GrantWant ownedHold, GrantTarget target, PostgresCatalog.Acl acl) {
        if (acl.owned()) {
            Map<String, Boolean> wanted = ownedHold.objects().get(target);
            if (wanted != null) {
                actual.objects().put(target, new LinkedHashMap<>(wanted));
            }
            return;
        }
        if (acl.held().isEmpty()) {
            return;
        }
        Map<String, Boolean> map = actual.objects().computeIfAbsent(target, t -> new LinkedHashMap<>());
        acl.held().forEach(h -> map.merge(h.privilege(), h.grantable(), Boolean::logicalOr));
    }

    /**
     * What every object the grantee does not own holds (owned ones hold everything); with no such object at all,
     * vacuously what is wanted (nothing to grant).
     */
    private static Map<String, Boolean> onEvery(
            java.util.Collection<PostgresCatalog.Acl> objects, Map<String, Boolean> wanted) {
        Map<String, Boolean> common = null;
        for (PostgresCatalog.Acl acl : objects) {
            if (acl.owned()) {
                continue;
            }
            Map<String, Boolean> these = new LinkedHashMap<>();
            acl.held().forEach(h -> these.merge(h.privilege(), h.grantable(), Boolean::logicalOr));
            if (common == null) {
                common = these;
            } else {
                common.keySet().retainAll(these.keySet());
                common.replaceAll((p, g) -> g && these.get(p));
            }
        }
        return common == null ? new LinkedHashMap<>(wanted) : common;
    }

    // ---- differences -----------------------------------------------------------------------------------------------

    record Change(GrantTarget target, Set<String> privileges, boolean grantOption) {}

    record Extra(GrantTarget target, Set<String> privileges, boolean grantOptionOnly) {}

    static List<Change> missing(GrantWant want, GrantWant actual) {
        List<Change> changes = new ArrayList<>();
        want.objects().forEach((target, privileges) -> {
            Map<String, Boolean> held = actual.objects().getOrDefault(target, Map.of());
            Set<String> plain = new LinkedHashSet<>();
            Set<String> withOption = new LinkedHashSet<>();
            privileges.forEach((p, option) -> {
                if (option && !Boolean.TRUE.equals(held.get(p))) {
                    withOption.add(p);
                } else if (!option && !held.containsKey(p)) {
                    plain.add(p);
                }
            });
            if (!plain.isEmpty()) {
                changes.add(new Change(target, plain, false));
            }
            if (!withOption.isEmpty()) {
                changes.add(new Change(target, withOption, true));
            }
        });
        return changes;
    }

    /** Held beyond the set, per named (never "*") target: privileges, then grant options the set does not give. */
    static List<Extra> extras(GrantWant want, GrantWant actual) {
        List<Extra> extras = new ArrayList<>();
        actual.objects().forEach((target, held) -> {
            if (target.all()) {
                return;
            }
            Map<String, Boolean> wanted = new LinkedHashMap<>(want.objects().getOrDefault(target, Map.of()));
            if (OBJECT_KINDS.contains(target.kind())) {
                GrantTarget every =
                        GrantTarget.object(target.kind(), target.database(), target.schema(), GrantTarget.ALL);
                want.objects().getOrDefault(every, Map.of()).forEach((p, o) -> wanted.merge(p, o, Boolean::logicalOr));
            }
            Set<String> extra = minus(held.keySet(), wanted.keySet());
            if (!extra.isEmpty()) {
                extras.add(new Extra(target, extra, false));
            }
            Set<String> extraOption = new LinkedHashSet<>();
            held.forEach((p, grantable) -> {
                if (grantable && Boolean.FALSE.equals(wanted.get(p))) {
                    extraOption.add(p);
                }
            });
            if (!extraOption.isEmpty()) {
                extras.add(new Extra(target, extraOption, true));
            }
        });
        return extras;
    }

    private void revokeExtras(EngineSession session, String grantee, GrantWant want, GrantWant actual) {
        PostgresStatements sql = flavor.statements();
        for (String role : minus(actual.roles(), want.roles())) {
            session.run(Step.of("revoke unlisted role " + role + " from " + grantee, sql.revokeRole(role, grantee)));
        }
        for (Extra e : extras(want, actual)) {
            if (e.grantOptionOnly()) {
                session.run(Step.in(
                        e.target().runIn(),
                        "revoke unlisted grant option for "
                                + String.join(", ", PostgresPrivileges.sorted(e.privileges())) + " on "
                                + describe(e.target()) + " from " + grantee,
                        sql.revokeGrantOption(e.privileges(), e.target(), grantee)));
            } else {
                revokeStep(session, grantee, e.target(), e.privileges());
            }
        }
        actual.defaults().forEach((scope, privileges) -> {
            Set<String> extra = minus(privileges, want.defaults().getOrDefault(scope, Set.of()));
            if (!extra.isEmpty()) {
                revokeDefaults(session, grantee, scope, extra);
            }
        });
    }

    private void revokeStep(EngineSession session, String grantee, GrantTarget target, Set<String> privileges) {
        session.run(Step.in(
                target.runIn(),
                "revoke " + String.join(", ", PostgresPrivileges.sorted(privileges)) + " on " + describe(target)
                        + " from " + grantee,
                flavor.statements().revoke(privileges, target, grantee)));
    }

    private void revokeDefaults(EngineSession session, String grantee, GrantWant.DefaultScope scope, Set<String> p) {
        session.run(Step.in(
                scope.database(),
                "revoke default privileges on " + scope.typeWord() + " of " + scope.grantedBy() + " in schema "
                        + scope.schema() + " from " + grantee,
                flavor.statements()
                        .revokeDefaultPrivileges(scope.grantedBy(), scope.schema(), scope.type(), p, grantee)));
    }

    /** For "*" targets, what any object of the kind holds (so REVOKE ... ON ALL ... is needed). */
    private static Set<String> heldAnywhere(GrantWant actual, GrantTarget target) {
        Set<String> held = new LinkedHashSet<>(
                actual.objects().getOrDefault(target, Map.of()).keySet());
        if (target.all()) {
            held.clear();
            actual.objects().forEach((t, privileges) -> {
                if (!t.all()
                        && t.kind() == target.kind()
                        && t.database().equals(target.database())
                        && t.schema().equals(target.schema())) {
                    held.addAll(privileges.keySet());
                }
            });
        }
        return held;
    }

    private static PostgresGrant toGrant(GrantTarget target, Set<String> privileges, boolean grantOption) {
        PostgresGrant.Builder g = PostgresGrant.newBuilder()
                .setDatabase(target.database())
                .setSchema(target.schema())
                .addAllPrivileges(PostgresPrivileges.sorted(privileges));
        if (grantOption) {
            g.setWithGrantOption(true);
        }
        switch (target.kind()) {
            case TABLE -> g.addTables(target.object());
            case SEQUENCE -> g.addSequences(target.object());
            case FUNCTION -> g.addFunctions(target.object());
            default -> {}
        }
        return g.build();
    }

    private static PostgresDefaultPrivilegeGrant toDefault(GrantWant.DefaultScope scope, Set<String> privileges) {
        return PostgresDefaultPrivilegeGrant.newBuilder()
                .setDatabase(scope.database())
                .setSchema(scope.schema())
                .setGrantedBy(scope.grantedBy())
                .setObjectType(scope.type())
                .addAllPrivileges(PostgresPrivileges.sorted(privileges))
                .build();
    }

    static String describe(GrantTarget t) {
        return switch (t.kind()) {
            case DATABASE -> "database " + t.database();
            case SCHEMA -> "schema " + t.database() + "." + t.schema();
            default ->
                t.all()
                        ? "all " + t.kind().word() + "s in schema " + t.database() + "." + t.schema()
                        : t.kind().word() + " " + t.database() + "." + t.schema() + "." + t.object();
        };
    }

    static <T> Set<T> minus(Set<T> a, Set<T> b) {
        Set<T> r = new TreeSet<>(a);
        r.removeAll(b);
        return r;
    }

    static <T> Set<T> intersect(Set<T> a, Set<T> b) {
        Set<T> r = new TreeSet<>(a);
        r.retainAll(b);
        return r;
    }
}
