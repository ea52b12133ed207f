package io.dbprovision.provisioner.service;

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
import io.dbprovision.provisioner.engine.Engine;
import io.dbprovision.provisioner.engine.EngineSession;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An engine for the service's tests: every call first hands its session and argument to {@link #action} (which may
 * run steps, block, or throw), then answers with canned responses.
 */
final class FakeEngine implements Engine {
    volatile BiConsumer<EngineSession, Object> action = (session, argument) -> {};
    /** The flag the last ensureUser call was given: the service must pass the request's through. */
    volatile boolean removeUnlistedHosts;

    @Override
    public Set<EngineType> types() {
        return Set.of(EngineType.ENGINE_TYPE_POSTGRES);
    }

    @Override
    public CheckInstanceResponse check(EngineSession session) {
        action.accept(session, null);
        return CheckInstanceResponse.newBuilder().setVersion("fake 1.0").build();
    }

    @Override
    public Optional<ObserveDatabaseResponse> ensureDatabase(EngineSession session, DatabaseDefinition database) {
        action.accept(session, database);
        return Optional.empty();
    }

    @Override
    public void dropDatabase(EngineSession session, String name) {
        action.accept(session, name);
    }

    @Override
    public ObserveDatabaseResponse observeDatabase(EngineSession session, DatabaseDefinition desired) {
        action.accept(session, desired);
        return ObserveDatabaseResponse.newBuilder().setExists(true).build();
    }

    @Override
    public Optional<ObserveUserResponse> ensureUser(
            EngineSession session, UserDefinition user, boolean removeUnlistedHosts) {
        this.removeUnlistedHosts = removeUnlistedHosts;
        action.accept(session, user);
        return Optional.empty();
    }

    @Override
    public void dropUser(EngineSession session, String name, String reassignOwnedTo) {
        action.accept(session, name);
    }

    @Override
    public ObserveUserResponse observeUser(EngineSession session, UserDefinition desired) {
        action.accept(session, desired);
        return ObserveUserResponse.getDefaultInstance();
    }

    @Override
    public void ensureRole(EngineSession session, RoleDefinition role) {
        action.accept(session, role);
    }

    @Override
    public void dropRole(EngineSession session, String name, String reassignOwnedTo) {
        action.accept(session, name);
    }

    @Override
    public ObserveRoleResponse observeRole(EngineSession session, RoleDefinition desired) {
        action.accept(session, desired);
        return ObserveRoleResponse.getDefaultInstance();
    }

    @Override
    public void applyGrants(EngineSession session, GrantSet grants, boolean revokeUnlisted) {
        action.accept(session, grants);
    }

    @Override
    public void revokeGrants(EngineSession session, GrantSet grants) {
        action.accept(session, grants);
    }

    @Override
    public ObserveGrantsResponse observeGrants(EngineSession session, GrantSet desired) {
        action.accept(session, desired);
        return ObserveGrantsResponse.getDefaultInstance();
    }

    @Override
    public RunInitSqlResponse runInitSql(
            EngineSession session, String database, String runAsRole, List<String> statements) {
        action.accept(session, statements);
        return RunInitSqlResponse.newBuilder()
                .setStatementsExecuted(statements.size())
                .build();
    }

    @Override
    public void terminateConnections(EngineSession session, String database) {
        action.accept(session, database);
    }
}
