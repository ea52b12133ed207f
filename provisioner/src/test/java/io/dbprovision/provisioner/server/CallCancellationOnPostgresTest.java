package io.dbprovision.provisioner.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dbprovision.proto.engine.v1alpha1.CheckInstanceResponse;
import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.EngineServiceGrpc;
import io.dbprovision.proto.engine.v1alpha1.EnsureDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.GrantSet;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.engine.v1alpha1.ObserveDatabaseResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveGrantsResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveRoleResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveUserResponse;
import io.dbprovision.proto.engine.v1alpha1.RoleDefinition;
import io.dbprovision.proto.engine.v1alpha1.RunInitSqlResponse;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.PostgresInstanceConfig;
import io.dbprovision.provisioner.engine.Engine;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.EngineSession;
import io.dbprovision.provisioner.engine.Engines;
import io.dbprovision.provisioner.engine.Step;
import io.dbprovision.provisioner.engine.jdbc.ConnectionPools;
import io.dbprovision.provisioner.engine.password.PasswordGenerator;
import io.dbprovision.provisioner.service.EngineGrpcService;
import io.dbprovision.provisioner.service.JdbcSessionFactory;
import io.dbprovision.provisioner.testing.Await;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A call that gives up — its deadline passes, or its client cancels — takes its statement on the engine with it: on
 * the real PostgreSQL, a long {@code pg_sleep} started by an engine is gone from {@code pg_stat_activity} soon after.
 */
class CallCancellationOnPostgresTest {
    private final String applicationName =
            "dbpsrv_" + UUID.randomUUID().toString().substring(0, 8);
    private final ConnectionPools pools = new ConnectionPools();
    private ProvisionerServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() {
        String name = InProcessServerBuilder.generateName();
        server = ProvisionerServer.builder()
                .serverBuilder(InProcessServerBuilder.forName(name))
                .service(new EngineGrpcService(
                        new Engines(List.of(new SleepingEngine())),
                        new JdbcSessionFactory(pools),
                        new PasswordGenerator()))
                .shutdownGrace(Duration.ofSeconds(5))
                .build()
                .start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
        pools.close();
    }

    @Test
    void aCallWhoseDeadlinePassesEndsDeadlineExceededAndItsStatementIsGoneFromTheEngine() {
        var error = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> EngineServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(1500, TimeUnit.MILLISECONDS)
                        .ensureDatabase(sleepRequest()));

        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        Await.until(Duration.ofSeconds(10), "the sleep is gone from pg_stat_activity", () -> sleeping() == 0);
    }

    @Test
    void aCallItsClientCancelsHasItsStatementCancelledOnTheEngine() {
        // No deadline, so no query timeout either: only the call's cancellation can end the statement.
        var call = EngineServiceGrpc.newFutureStub(channel).ensureDatabase(sleepRequest());
        Await.until(Duration.ofSeconds(10), "the sleep runs on the engine", () -> sleeping() == 1);

        call.cancel(true);

        Await.until(Duration.ofSeconds(10), "the sleep is gone from pg_stat_activity", () -> sleeping() == 0);
    }

    private EnsureDatabaseRequest sleepRequest() {
        return EnsureDatabaseRequest.newBuilder()
                .setInstance(Instance.newBuilder()
                        .setEngine(EngineType.ENGINE_TYPE_POSTGRES)
                        .setHost("127.0.0.1")
                        .setPort(5432)
                        .setUsername("postgres")
                        .setPostgres(PostgresInstanceConfig.newBuilder().setApplicationName(applicationName)))
                .setDatabase(DatabaseDefinition.newBuilder().setName("dbpsrv_sleep"))
                .build();
    }

    /** Statements of this test's connections still running on the server. */
    private int sleeping() {
        try (Connection connection =
                        DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                PreparedStatement query = connection.prepareStatement("select count(*) from pg_stat_activity"
                        + " where application_name = ? and state = 'active' and pid <> pg_backend_pid()")) {
            query.setString(1, applicationName);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return result.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A test-only engine whose ensureDatabase runs one long statement through the session, as a slow DDL would. */
    private static final class SleepingEngine implements Engine {
        @Override
        public Set<EngineType> types() {
            return Set.of(EngineType.ENGINE_TYPE_POSTGRES);
        }

        @Override
        public Optional<ObserveDatabaseResponse> ensureDatabase(EngineSession session, DatabaseDefinition database) {
            session.run(Step.of("sleep for " + database.getName(), DSL.query("select pg_sleep(30)")));
            return Optional.empty();
        }

        @Override
        public CheckInstanceResponse check(EngineSession session) {
            throw unsupported();
        }

        @Override
        public void dropDatabase(EngineSession session, String name) {
            throw unsupported();
        }

        @Override
        public ObserveDatabaseResponse observeDatabase(EngineSession session, DatabaseDefinition desired) {
            throw unsupported();
        }

        @Override
        public Optional<ObserveUserResponse> ensureUser(
                EngineSession session, UserDefinition user, boolean removeUnlistedHosts) {
            throw unsupported();
        }

        @Override
        public void dropUser(EngineSession session, String name, String reassignOwnedTo) {
            throw unsupported();
        }

        @Override
        public ObserveUserResponse observeUser(EngineSession session, UserDefinition desired) {
            throw unsupported();
        }

        @Override
        public void ensureRole(EngineSession session, RoleDefinition role) {
            throw unsupported();
        }

        @Override
        public void dropRole(EngineSession session, String name, String reassignOwnedTo) {
            throw unsupported();
        }

        @Override
        public ObserveRoleResponse observeRole(EngineSession session, RoleDefinition desired) {
            throw unsupported();
        }

        @Override
        public void applyGrants(EngineSession session, GrantSet grants, boolean revokeUnlisted) {
            throw unsupported();
        }

        @Override
        public void revokeGrants(EngineSession session, GrantSet grants) {
            throw unsupported();
        }

        @Override
        public ObserveGrantsResponse observeGrants(EngineSession session, GrantSet desired) {
            throw unsupported();
        }

        @Override
        public RunInitSqlResponse runInitSql(
                EngineSession session, String database, String runAsRole, List<String> statements) {
            throw unsupported();
        }

        @Override
        public void terminateConnections(EngineSession session, String database) {
            throw unsupported();
        }

        private static EngineException unsupported() {
            return new EngineException.Unsupported("the sleeping test engine only sleeps");
        }
    }
}
