package io.dbprovision.provisioner.engine;

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
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One database engine: how its catalog is read and which statements bring it to a definition. An engine never opens
 * connections, executes SQL itself or decides about validate_only: it reads through {@link EngineSession#read} and
 * hands each statement to {@link EngineSession#run}, which executes it or, for a plan, only records it. "Make it so"
 * methods therefore observe first and emit only the statements the difference needs, so a second call emits none.
 *
 * <p>Adding an engine is one package with an {@code Engine}, its pure {@code *Statements} (jOOQ queries, golden-file
 * tested) and its error mapping, plus one line in {@link Engines}; it runs the shared engine contract tests.
 */
public interface Engine {
    /** The engine types this implementation serves (MySQL and MariaDB share one). */
    Set<EngineType> types();

    /** Version, capabilities and the admin's privileges. */
    CheckInstanceResponse check(EngineSession session);

    /**
     * Creates the database if missing and brings it to the definition. When it created it (never under validate_only)
     * it may answer the state reached — what {@link #observeDatabase} would answer at once — if that costs no more
     * than the reads it already did; otherwise empty, and the caller observes.
     */
    Optional<ObserveDatabaseResponse> ensureDatabase(EngineSession session, DatabaseDefinition database);

    void dropDatabase(EngineSession session, String name);

    ObserveDatabaseResponse observeDatabase(EngineSession session, DatabaseDefinition desired);

    /** {@link #ensureUser(EngineSession, UserDefinition, boolean)} keeping accounts on unlisted hosts. */
    default void ensureUser(EngineSession session, UserDefinition user) {
        ensureUser(session, user, false);
    }

    /**
     * Creates the user if missing and brings it to the definition. {@code removeUnlistedHosts} (MySQL and MariaDB
     * only; other engines ignore it) also drops the user's accounts on hosts the definition no longer lists, which is
     * destructive and therefore asked for explicitly. When it created the user (never under validate_only) it answers
     * the state reached, read on the call's connection as {@link #observeUser} would; otherwise empty.
     */
    Optional<ObserveUserResponse> ensureUser(EngineSession session, UserDefinition user, boolean removeUnlistedHosts);

    void dropUser(EngineSession session, String name, String reassignOwnedTo);

    ObserveUserResponse observeUser(EngineSession session, UserDefinition desired);

    void ensureRole(EngineSession session, RoleDefinition role);

    void dropRole(EngineSession session, String name, String reassignOwnedTo);

    ObserveRoleResponse observeRole(EngineSession session, RoleDefinition desired);

    void applyGrants(EngineSession session, GrantSet grants, boolean revokeUnlisted);

    void revokeGrants(EngineSession session, GrantSet grants);

    ObserveGrantsResponse observeGrants(EngineSession session, GrantSet desired);

    /** Runs the statements in order (as {@code runAsRole} when not empty), stopping at the first failure. */
    RunInitSqlResponse runInitSql(EngineSession session, String database, String runAsRole, List<String> statements);

    void terminateConnections(EngineSession session, String database);
}
