package io.dbprovision.provisioner.engine.postgres;

import io.dbprovision.proto.engine.v1alpha1.CheckInstanceResponse;
import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.GrantSet;
import io.dbprovision.proto.engine.v1alpha1.ObserveDatabaseResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveGrantsResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveRoleResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveUserResponse;
import io.dbprovision.proto.engine.v1alpha1.RoleDefinition;
import io.dbprovision.proto.engine.v1alpha1.RunInitSqlResponse;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.Identifier;
import io.dbprovision.provisioner.engine.Engine;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.EngineSession;
import io.dbprovision.provisioner.engine.Step;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.Record;

/**
 * The PostgreSQL engine: every operation of the engine service as observe → diff → only the needed steps, so a second
 * call emits nothing. Databases, users/roles and grants each have their own class; this one wires them, checks the
 * instance and runs init SQL. The {@link PostgresFlavor} carries what differs on engines of the same dialect
 * (CockroachDB), so they reuse all of this.
 */
public class PostgresEngine implements Engine {
    private static final Pattern VERSION_NUMBER = Pattern.compile("^(\\d+(?:\\.\\d+)*)");

    private final PostgresFlavor flavor;
    private final PostgresLimits limits;
    private final PostgresGrants grants;
    private final PostgresDatabases databases;
    private final PostgresPrincipals principals;

    public PostgresEngine() {
        this(PostgresFlavor.postgres());
    }

    protected PostgresEngine(PostgresFlavor flavor) {
        this.flavor = flavor;
        this.limits = new PostgresLimits(flavor.engine());
        this.grants = new PostgresGrants(flavor, limits);
        this.databases = new PostgresDatabases(flavor, limits, grants);
        this.principals = new PostgresPrincipals(flavor, limits, grants);
    }

    @Override
    public Set<EngineType> types() {
        return Set.of(flavor.engine());
    }

    public PostgresFlavor flavor() {
        return flavor;
    }

    @Override
    public CheckInstanceResponse check(EngineSession session) {
        PostgresCatalog catalog = flavor.catalog();
        return session.read(EngineSession.ADMIN_DATABASE, dsl -> {
            String version = catalog.serverVersion(dsl);
            int number = catalog.serverVersionNum(dsl);
            Matcher m = VERSION_NUMBER.matcher(version.trim());
            List<String> capabilities = new ArrayList<>(List.of("roles", "default-privileges", "schemas"));
            if (flavor.extensions()) {
                capabilities.add("extensions");
            }
            if (number >= 100000) {
                capabilities.add("scram-sha-256");
            }
            if (catalog.sslEnabled(dsl)) {
                capabilities.add("ssl");
            }
            Record admin = catalog.adminPrivileges(dsl);
            List<String> missing = new ArrayList<>();
            if (!admin.get(0, Boolean.class)) {
                if (!admin.get(1, Boolean.class)) missing.add("CREATEDB");
                if (!admin.get(2, Boolean.class)) missing.add("CREATEROLE");
                if (!admin.get(3, Boolean.class)) missing.add("pg_signal_backend");
            }
            return CheckInstanceResponse.newBuilder()
                    .setVersion(version)
                    .setVersionNumber(m.find() ? m.group(1) : "")
                    .setDetectedEngine(flavor.engine())
                    .addAllCapabilities(capabilities)
                    .setAdminPrivilegesSufficient(missing.isEmpty())
                    .addAllMissingPrivileges(missing)
                    .setTlsInUse(catalog.sslInUse(dsl))
                    .build();
        });
    }

    @Override
    public Optional<ObserveDatabaseResponse> ensureDatabase(EngineSession session, DatabaseDefinition database) {
        return databases.ensure(session, database);
    }

    @Override
    public void dropDatabase(EngineSession session, String name) {
        databases.drop(session, name);
    }

    @Override
    public ObserveDatabaseResponse observeDatabase(EngineSession session, DatabaseDefinition desired) {
        return databases.observe(session, desired);
    }

    @Override
    public Optional<ObserveUserResponse> ensureUser(
            EngineSession session, UserDefinition user, boolean removeUnlistedHosts) {
        // Hosts are a MySQL notion: a PostgreSQL role has no per-host accounts to remove.
        return principals.ensureUser(session, user);
    }

    @Override
    public void dropUser(EngineSession session, String name, String reassignOwnedTo) {
        principals.drop(session, "name", Identifier.IDENTIFIER_USER, name, reassignOwnedTo);
    }

    @Override
    public ObserveUserResponse observeUser(EngineSession session, UserDefinition desired) {
        return principals.observeUser(session, desired);
    }

    @Override
    public void ensureRole(EngineSession session, RoleDefinition role) {
        principals.ensureRole(session, role);
    }

    @Override
    public void dropRole(EngineSession session, String name, String reassignOwnedTo) {
        principals.drop(session, "name", Identifier.IDENTIFIER_ROLE, name, reassignOwnedTo);
    }

    @Override
    public ObserveRoleResponse observeRole(EngineSession session, RoleDefinition desired) {
        return principals.observeRole(session, desired);
    }

    @Override
    public void applyGrants(EngineSession session, GrantSet set, boolean revokeUnlisted) {
        grants.apply(session, set.getGrantee(), want(session, set), revokeUnlisted);
    }

    @Override
    public void revokeGrants(EngineSession session, GrantSet set) {
        grants.revoke(session, set.getGrantee(), want(session, set));
    }

    @Override
    public ObserveGrantsResponse observeGrants(EngineSession session, GrantSet desired) {
        return grants.observeResponse(session, desired, want(session, desired));
    }

    private GrantWant want(EngineSession session, GrantSet set) {
        limits.reference("grants.grantee", set.getGrantee(), false);
        int version = session.read(EngineSession.ADMIN_DATABASE, flavor.catalog()::serverVersionNum);
        return grants.expand("grants.postgres", set.getPostgres(), version);
    }

    /**
     * Runs the caller's statements on one connection of the database, after SET ROLE when asked, stopping at the
     * first failure. Each statement is sent verbatim ({@link PostgresStatements#verbatim}).
     */
    @Override
    public RunInitSqlResponse runInitSql(
            EngineSession session, String database, String runAsRole, List<String> statements) {
        limits.name("database", Identifier.IDENTIFIER_DATABASE, database);
        limits.reference("runAsRole", runAsRole, true);
        PostgresStatements sql = flavor.statements();
        List<Step> steps = new ArrayList<>();
        if (!runAsRole.isEmpty()) {
            steps.add(Step.in(database, "run init SQL as " + runAsRole, sql.setRole(runAsRole)));
        }
        for (int i = 0; i < statements.size(); i++) {
            String purpose = "init SQL statement " + (i + 1) + " of " + statements.size() + " in " + database;
            steps.add(Step.in(database, purpose, sql.verbatim(statements.get(i))));
        }
        RunInitSqlResponse.Builder response = RunInitSqlResponse.newBuilder().setHash(hash(statements));
        int offset = runAsRole.isEmpty() ? 0 : 1;
        int done = session.runOnOneConnection(database, steps, true);
        response.setStatementsExecuted(Math.max(0, done - offset));
        if (done < steps.size()) {
            session.lastFailure()
                    .ifPresentOrElse(
                            e -> response.setError(
                                    e instanceof EngineException.EngineRefused r
                                                    && !r.sqlState().isEmpty()
                                            ? "SQLSTATE " + r.sqlState() + ": " + e.getMessage()
                                            : e.getMessage()),
                            () -> response.setError("statement " + (done - offset + 1) + " failed"));
        }
        return response.build();
    }

    /** SHA-256 hex of the statements joined with "\n---\n", as status.initSQL.hash. */
    public static String hash(List<String> statements) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(String.join("\n---\n", statements).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void terminateConnections(EngineSession session, String database) {
        databases.terminate(session, database);
    }
}
