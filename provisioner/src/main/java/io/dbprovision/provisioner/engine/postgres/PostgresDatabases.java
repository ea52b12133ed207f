package io.dbprovision.provisioner.engine.postgres;

import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.DatabaseState;
import io.dbprovision.proto.engine.v1alpha1.ObserveDatabaseResponse;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import io.dbprovision.proto.v1alpha1.Identifier;
import io.dbprovision.proto.v1alpha1.PostgresDatabaseConfig;
import io.dbprovision.proto.v1alpha1.PostgresDatabaseDefaultPrivilege;
import io.dbprovision.proto.v1alpha1.PostgresDatabaseExtension;
import io.dbprovision.proto.v1alpha1.PostgresDatabaseSchema;
import io.dbprovision.provisioner.engine.EngineSession;
import io.dbprovision.provisioner.engine.Step;
import io.dbprovision.provisioner.engine.diff.DriftDiffs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Databases of PostgreSQL-dialect engines: create with the create-time options, then bring owner, connection limit,
 * template flag, extensions, schemas and spec-level default privileges to the definition; drop after ending the
 * database's sessions; observe the actual state and its drift. Default privileges of the definition are granted
 * {@code FOR ROLE <database owner>} {@code TO <role>}, never the same role twice (§10.12). With
 * {@code ownership.autoOwnership} the owner role of {@link PostgresOwnership} is the owner, ensured before the
 * database and followed by its application user and default privileges.
 */
final class PostgresDatabases {
    private final PostgresFlavor flavor;
    private final PostgresLimits limits;
    private final PostgresGrants grants;
    private final PostgresOwnership ownership;

    PostgresDatabases(PostgresFlavor flavor, PostgresLimits limits, PostgresGrants grants) {
        this.flavor = flavor;
        this.limits = limits;
        this.grants = grants;
        this.ownership = new PostgresOwnership(flavor, limits, grants);
    }

    void validate(DatabaseDefinition d) {
        limits.name("database.name", Identifier.IDENTIFIER_DATABASE, d.getName());
        limits.reference("database.owner", d.getOwner(), true);
        PostgresDatabaseConfig pg = d.getPostgres();
        limits.reference("database.postgres.template", pg.getTemplate(), true);
        limits.reference("database.postgres.tablespace", pg.getTablespace(), true);
        limits.literal("database.postgres.encoding", pg.getEncoding());
        limits.literal("database.postgres.lcCollate", pg.getLcCollate());
        limits.literal("database.postgres.lcCtype", pg.getLcCtype());
        for (int i = 0; i < pg.getExtensionsCount(); i++) {
            PostgresDatabaseExtension e = pg.getExtensions(i);
            String f = "database.postgres.extensions[" + i + "]";
            limits.reference(f + ".name", e.getName(), false);
            limits.reference(f + ".schema", e.getSchema(), true);
            limits.literal(f + ".version", e.getVersion());
        }
        for (int i = 0; i < pg.getSchemasCount(); i++) {
            PostgresDatabaseSchema s = pg.getSchemas(i);
            String f = "database.postgres.schemas[" + i + "]";
            limits.name(f + ".name", Identifier.IDENTIFIER_SCHEMA, s.getName());
            limits.reference(f + ".owner", s.getOwner(), true);
        }
    }

    /**
     * Makes the database so; answers its observation when it created it and nothing inside it was asked for (see
     * {@link #createdState}).
     */
    Optional<ObserveDatabaseResponse> ensure(EngineSession session, DatabaseDefinition request) {
        ownership.validate(request);
        DatabaseDefinition d = ownership.effective(request);
        validate(d);
        ownership.ensureOwnerRole(session, request);
        PostgresCatalog catalog = flavor.catalog();
        PostgresStatements sql = flavor.statements();
        String name = d.getName();
        PostgresDatabaseConfig pg = d.getPostgres();
        // Only default privileges depend on the server version; without them it is not read.
        int version = pg.getDefaultPrivilegesCount() == 0
                ? 0
                : session.read(EngineSession.ADMIN_DATABASE, catalog::serverVersionNum);
        Optional<PostgresCatalog.DatabaseRow> row =
                session.read(EngineSession.ADMIN_DATABASE, dsl -> catalog.database(dsl, name));
        // Validate the default privileges before anything runs.
        String owner = !d.getOwner().isEmpty()
                ? d.getOwner()
                : row.map(PostgresCatalog.DatabaseRow::owner)
                        .orElse(session.instance().getUsername());
        Map<String, GrantWant> defaults = defaultPrivileges(session, name, owner, pg, version);
        if (row.isEmpty()) {
            session.run(
                    Step.of("create database " + name, sql.createDatabase(name, DatabaseOptions.of(d.getOwner(), pg))));
        } else {
            PostgresCatalog.DatabaseRow r = row.get();
            if (!d.getOwner().isEmpty() && !d.getOwner().equals(r.owner())) {
                session.run(Step.of("change owner of database " + name, sql.alterDatabaseOwner(name, d.getOwner())));
            }
            if (pg.hasConnectionLimit() && pg.getConnectionLimit() != r.connectionLimit()) {
                session.run(Step.of(
                        "set connection limit of database " + name,
                        sql.alterDatabaseConnectionLimit(name, pg.getConnectionLimit())));
            }
            if (pg.hasIsTemplate() && pg.getIsTemplate() != r.isTemplate()) {
                session.run(Step.of(
                        "set template flag of database " + name,
                        sql.alterDatabaseIsTemplate(name, pg.getIsTemplate())));
            }
            if (!pg.getEncoding().isEmpty() && !pg.getEncoding().equalsIgnoreCase(r.encoding())) {
                session.note("database " + name + " has encoding " + r.encoding() + "; encoding cannot change after"
                        + " creation");
            }
        }
        // A database that does not exist yet (only possible in a plan) has no extensions, schemas or privileges.
        boolean fresh = row.isEmpty();
        InDatabase actual = fresh ? InDatabase.EMPTY : session.read(name, dsl -> InDatabase.read(catalog, dsl));
        if (!flavor.extensions() && pg.getExtensionsCount() > 0) {
            session.note("extensions are ignored on " + flavor.engine());
        }
        for (PostgresDatabaseExtension e :
                flavor.extensions() ? pg.getExtensionsList() : List.<PostgresDatabaseExtension>of()) {
            PostgresCatalog.Extension has = actual.extensions().get(e.getName());
            if (has == null) {
                session.run(Step.in(
                        name,
                        "create extension " + e.getName(),
                        sql.createExtension(e.getName(), e.getSchema(), e.getVersion())));
            } else if (!e.getVersion().isEmpty() && !e.getVersion().equals(has.version())) {
                session.run(Step.in(
                        name,
                        "update extension " + e.getName(),
                        sql.alterExtensionVersion(e.getName(), e.getVersion())));
            }
        }
        for (PostgresDatabaseSchema s : pg.getSchemasList()) {
            String schemaOwner = actual.schemas().get(s.getName());
            if (schemaOwner == null) {
                session.run(Step.in(name, "create schema " + s.getName(), sql.createSchema(s.getName(), s.getOwner())));
            } else if (!s.getOwner().isEmpty() && !s.getOwner().equals(schemaOwner)) {
                session.run(Step.in(
                        name,
                        "change owner of schema " + s.getName(),
                        sql.alterSchemaOwner(s.getName(), s.getOwner())));
            }
        }
        defaults.forEach((role, want) -> {
            if (fresh) {
                grants.plan(session, role, want, GrantWant.empty(), false);
            } else {
                grants.apply(session, role, want, false);
            }
        });
        ownership.ensureAppUser(session, request, fresh);
        return fresh && !session.validateOnly() && nothingInside(d)
                ? Optional.of(createdState(session, request))
                : Optional.empty();
    }

    /**
     * Whether the definition asks for nothing inside the database: then a database just created holds exactly what
     * its template held, and the diffs need no read in it.
     */
    private static boolean nothingInside(DatabaseDefinition d) {
        PostgresDatabaseConfig pg = d.getPostgres();
        return pg.getExtensionsCount() == 0
                && pg.getSchemasCount() == 0
                && pg.getDefaultPrivilegesCount() == 0
                && !PostgresOwnership.on(d);
    }

    /**
     * The state of a database this call just created, for EnsureDatabase's answer: the catalog row read again on the
     * admin connection the call holds, the diffs as {@link #observe} computes them; its extensions and schemas are not
     * read ({@code contents_not_read}): that takes a connection into the new database, about as long as the rest of
     * the call on a busy server, to list what the template brought. ObserveDatabase (the drift check) lists them.
     */
    private ObserveDatabaseResponse createdState(EngineSession session, DatabaseDefinition request) {
        return observe(session, request, false);
    }

    /** Spec-level default privileges grouped by receiving role: FOR ROLE the database owner, TO the role. */
    private Map<String, GrantWant> defaultPrivileges(
            EngineSession session, String database, String owner, PostgresDatabaseConfig pg, int version) {
        Map<String, GrantWant> byRole = new LinkedHashMap<>();
        for (int i = 0; i < pg.getDefaultPrivilegesCount(); i++) {
            PostgresDatabaseDefaultPrivilege dp = pg.getDefaultPrivileges(i);
            String f = "database.postgres.defaultPrivileges[" + i + "]";
            limits.reference(f + ".role", dp.getRole(), false);
            if (dp.getRole().equals(owner)) {
                session.note("default privileges for " + dp.getRole() + " skipped: it owns database " + database
                        + " and so every object created by it");
                continue;
            }
            grants.expandDefault(
                    f,
                    database,
                    dp.getSchema(),
                    owner,
                    dp.getObjectType(),
                    dp.getPrivilegesList(),
                    version,
                    byRole.computeIfAbsent(dp.getRole(), r -> GrantWant.empty()));
        }
        return byRole;
    }

    void drop(EngineSession session, String name) {
        limits.name("name", Identifier.IDENTIFIER_DATABASE, name);
        if (session.read(EngineSession.ADMIN_DATABASE, dsl -> flavor.catalog().database(dsl, name))
                .isEmpty()) {
            return;
        }
        if (flavor.terminatesSessions()) {
            session.run(Step.of(
                    "end sessions on database " + name, flavor.statements().terminateSessions(name)));
        }
        session.run(Step.of("drop database " + name, flavor.statements().dropDatabase(name)));
    }

    void terminate(EngineSession session, String name) {
        limits.name("database", Identifier.IDENTIFIER_DATABASE, name);
        int sessions = session.read(
                EngineSession.ADMIN_DATABASE, dsl -> flavor.catalog().otherSessions(dsl, name));
        if (sessions > 0) {
            session.run(Step.of(
                    "end sessions on database " + name, flavor.statements().terminateSessions(name)));
        }
    }

    ObserveDatabaseResponse observe(EngineSession session, DatabaseDefinition request) {
        return observe(session, request, true);
    }

    /** {@code readContents} false: extensions and schemas are not read (only for a definition that names none). */
    private ObserveDatabaseResponse observe(EngineSession session, DatabaseDefinition request, boolean readContents) {
        ownership.validate(request);
        DatabaseDefinition d = ownership.effective(request);
        validate(d);
        PostgresCatalog catalog = flavor.catalog();
        String name = d.getName();
        Optional<PostgresCatalog.DatabaseRow> row =
                session.read(EngineSession.ADMIN_DATABASE, dsl -> catalog.database(dsl, name));
        if (row.isEmpty()) {
            return ObserveDatabaseResponse.newBuilder().setExists(false).build();
        }
        PostgresCatalog.DatabaseRow r = row.get();
        int version = d.getPostgres().getDefaultPrivilegesCount() == 0
                ? 0
                : session.read(EngineSession.ADMIN_DATABASE, catalog::serverVersionNum);
        InDatabase in = r.allowConnections() && readContents
                ? session.read(name, dsl -> InDatabase.read(catalog, dsl))
                : InDatabase.EMPTY;
        PostgresDatabaseConfig.Builder state = PostgresDatabaseConfig.newBuilder()
                .setEncoding(r.encoding())
                .setLcCollate(r.collate())
                .setLcCtype(r.ctype())
                .setTablespace(r.tablespace())
                .setConnectionLimit(r.connectionLimit())
                .setIsTemplate(r.isTemplate())
                .setAllowConnections(r.allowConnections());
        in.extensions()
                .values()
                .forEach(e -> state.addExtensions(PostgresDatabaseExtension.newBuilder()
                        .setName(e.name())
                        .setSchema(e.schema())
                        .setVersion(e.version())));
        in.schemas()
                .forEach((s, o) -> state.addSchemas(
                        PostgresDatabaseSchema.newBuilder().setName(s).setOwner(o)));

        PostgresDatabaseConfig pg = d.getPostgres();
        List<DriftDiff> diffs = new ArrayList<>();
        if (!d.getOwner().isEmpty() && !d.getOwner().equals(r.owner())) {
            diffs.add(DriftDiffs.destructive("owner", d.getOwner(), r.owner()));
        }
        if (!pg.getEncoding().isEmpty() && !pg.getEncoding().equalsIgnoreCase(r.encoding())) {
            diffs.add(DriftDiffs.immutable("encoding", pg.getEncoding(), r.encoding()));
        }
        if (!pg.getLcCollate().isEmpty() && !pg.getLcCollate().equals(r.collate())) {
            diffs.add(DriftDiffs.immutable("lcCollate", pg.getLcCollate(), r.collate()));
        }
        if (!pg.getLcCtype().isEmpty() && !pg.getLcCtype().equals(r.ctype())) {
            diffs.add(DriftDiffs.immutable("lcCtype", pg.getLcCtype(), r.ctype()));
        }
        if (pg.hasConnectionLimit() && pg.getConnectionLimit() != r.connectionLimit()) {
            diffs.add(DriftDiffs.plain("connectionLimit", pg.getConnectionLimit(), r.connectionLimit()));
        }
        if (pg.hasIsTemplate() && pg.getIsTemplate() != r.isTemplate()) {
            diffs.add(DriftDiffs.plain("isTemplate", pg.getIsTemplate(), r.isTemplate()));
        }
        if (flavor.extensions()) {
            TreeSet<String> missing = new TreeSet<>();
            for (PostgresDatabaseExtension e : pg.getExtensionsList()) {
                PostgresCatalog.Extension has = in.extensions().get(e.getName());
                if (has == null) {
                    missing.add(e.getName());
                } else if (!e.getVersion().isEmpty() && !e.getVersion().equals(has.version())) {
                    diffs.add(
                            DriftDiffs.plain("extensions." + e.getName() + ".version", e.getVersion(), has.version()));
                }
            }
            if (!missing.isEmpty()) {
                diffs.add(DriftDiffs.plain(
                        "extensions.missing", missing, in.extensions().keySet()));
            }
        }
        TreeSet<String> missingSchemas = new TreeSet<>();
        for (PostgresDatabaseSchema s : pg.getSchemasList()) {
            String owner = in.schemas().get(s.getName());
            if (owner == null) {
                missingSchemas.add(s.getName());
            } else if (!s.getOwner().isEmpty() && !s.getOwner().equals(owner)) {
                diffs.add(DriftDiffs.destructive("schemas." + s.getName() + ".owner", s.getOwner(), owner));
            }
        }
        if (!missingSchemas.isEmpty()) {
            diffs.add(DriftDiffs.plain(
                    "schemas.missing", missingSchemas, in.schemas().keySet()));
        }
        String owner = d.getOwner().isEmpty() ? r.owner() : d.getOwner();
        defaultPrivileges(session, name, owner, pg, version).forEach((role, want) -> {
            GrantWant actual = grants.observe(session, role, want, false);
            grants.diffs(want, actual).stream()
                    .filter(diff -> diff.getField().startsWith("defaultPrivileges."))
                    .map(diff -> diff.toBuilder()
                            .setField(diff.getField()
                                    .replaceFirst("^defaultPrivileges\\.", "defaultPrivileges." + role + "."))
                            .build())
                    .forEach(diffs::add);
        });
        diffs.addAll(ownership.diffs(session, request));
        return ObserveDatabaseResponse.newBuilder()
                .setExists(true)
                .setContentsNotRead(!readContents && r.allowConnections())
                .setActual(DatabaseState.newBuilder()
                        .setName(r.name())
                        .setOwner(r.owner())
                        .setSizeBytes(r.sizeBytes())
                        .setPostgres(state))
                .addAllDiffs(diffs)
                .build();
    }

    /** What lives inside a database: extensions by name, schemas with their owners. */
    record InDatabase(Map<String, PostgresCatalog.Extension> extensions, Map<String, String> schemas) {
        static final InDatabase EMPTY = new InDatabase(Map.of(), Map.of());

        static InDatabase read(PostgresCatalog catalog, org.jooq.DSLContext dsl) {
            Map<String, PostgresCatalog.Extension> extensions = new LinkedHashMap<>();
            catalog.extensions(dsl).forEach(e -> extensions.put(e.name(), e));
            return new InDatabase(extensions, catalog.schemas(dsl));
        }
    }
}
