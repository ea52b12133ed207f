package io.dbprovision.provisioner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.CheckInstanceRequest;
import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.DropDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.EngineServiceGrpc;
import io.dbprovision.proto.engine.v1alpha1.EnsureDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.EnsureUserRequest;
import io.dbprovision.proto.engine.v1alpha1.GeneratePasswordRequest;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.engine.v1alpha1.ObserveDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.RunInitSqlRequest;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.PasswordConfig;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.Engines;
import io.dbprovision.provisioner.engine.Step;
import io.dbprovision.provisioner.engine.password.PasswordGenerator;
import io.dbprovision.provisioner.server.ProvisionerServer;
import io.dbprovision.provisioner.testing.Await;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine service over the in-process transport, with a fake engine and session. */
class EngineGrpcServiceTest {
    private static final String ADMIN_PASSWORD = "dbpsrv-admin-s3cret";
    private static final Instance INSTANCE = Instance.newBuilder()
            .setEngine(EngineType.ENGINE_TYPE_POSTGRES)
            .setHost("db.example")
            .setPort(5432)
            .setUsername("admin")
            .setPassword(ADMIN_PASSWORD)
            .build();

    private final FakeEngine engine = new FakeEngine();
    private final List<FakeSession> sessions = new CopyOnWriteArrayList<>();
    private final AtomicReference<Status> serverStatus = new AtomicReference<>();
    private ProvisionerServer server;
    private ManagedChannel channel;
    private EngineServiceGrpc.EngineServiceBlockingStub stub;

    @BeforeEach
    void start() {
        String name = InProcessServerBuilder.generateName();
        EngineGrpcService service = new EngineGrpcService(
                new Engines(List.of(engine)),
                (instance, validateOnly, deadline) -> {
                    FakeSession session = new FakeSession(instance, validateOnly, deadline);
                    sessions.add(session);
                    return session;
                },
                new PasswordGenerator());
        server = ProvisionerServer.builder()
                .serverBuilder(InProcessServerBuilder.forName(name))
                .service(() -> ServerInterceptors.intercept(service, recordClosingStatus()))
                .shutdownGrace(Duration.ofSeconds(5))
                .build()
                .start();
        channel = InProcessChannelBuilder.forName(name).build();
        stub = EngineServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    @Test
    void aMutatingCallAnswersWithTheSessionsPlanAndClosesTheSession() {
        engine.action = (session, database) -> session.run(Step.of(
                "create database app", DSL.createDatabase(DSL.name(((DatabaseDefinition) database).getName()))));

        ChangeResponse response = stub.ensureDatabase(EnsureDatabaseRequest.newBuilder()
                .setInstance(INSTANCE)
                .setValidateOnly(true)
                .setDatabase(DatabaseDefinition.newBuilder().setName("app"))
                .build());

        assertThat(response.getChanged()).isTrue();
        assertThat(response.getPlan(0).getSql()).isEqualTo("create database \"app\"");
        assertThat(response.getPlan(0).getPurpose()).isEqualTo("create database app");
        assertThat(sessions).singleElement().satisfies(session -> {
            assertThat(session.validateOnly).isTrue();
            assertThat(session.instance).isEqualTo(INSTANCE);
            assertThat(session.closed).isTrue();
        });
    }

    @Test
    void anObserveCallAnswersWithTheEnginesResponse() {
        var response = stub.observeDatabase(ObserveDatabaseRequest.newBuilder()
                .setInstance(INSTANCE)
                .setDesired(DatabaseDefinition.newBuilder().setName("app"))
                .build());

        assertThat(response.getExists()).isTrue();
        assertThat(sessions.getFirst().validateOnly).isFalse();
        assertThat(sessions.getFirst().deadline).as("a call without deadline").isNull();
    }

    @Test
    void ensureUserPassesRemoveUnlistedHostsToTheEngine() {
        EnsureUserRequest request = EnsureUserRequest.newBuilder()
                .setInstance(INSTANCE)
                .setUser(UserDefinition.newBuilder().setName("app"))
                .build();

        stub.ensureUser(request);
        assertThat(engine.removeUnlistedHosts).as("off by default").isFalse();
        stub.ensureUser(request.toBuilder().setRemoveUnlistedHosts(true).build());
        assertThat(engine.removeUnlistedHosts).isTrue();
    }

    @Test
    void checkInstanceNeedsNoObjectName() {
        var response = stub.checkInstance(
                CheckInstanceRequest.newBuilder().setInstance(INSTANCE).build());

        assertThat(response.getVersion()).isEqualTo("fake 1.0");
    }

    @Test
    void runInitSqlTakesThePlanFromTheSessionWhenTheEngineLeftItEmpty() {
        engine.action = (session, statements) -> session.run(Step.in("app", "init statement 1", DSL.query("select 1")));

        var response = stub.runInitSql(RunInitSqlRequest.newBuilder()
                .setInstance(INSTANCE)
                .setDatabase("app")
                .addStatements("select 1")
                .build());

        assertThat(response.getStatementsExecuted()).isEqualTo(1);
        assertThat(response.getPlanList()).singleElement().satisfies(step -> {
            assertThat(step.getSql()).isEqualTo("select 1");
            assertThat(step.getDatabase()).isEqualTo("app");
        });
    }

    @Test
    void generatePasswordDrawsByThePolicy() {
        var response = stub.generatePassword(GeneratePasswordRequest.newBuilder()
                .setPolicy(PasswordConfig.newBuilder().setLength(12).setIncludeSpecialChars(false))
                .build());

        assertThat(response.getPassword()).hasSize(12).matches("[A-Za-z0-9]+");
        assertThat(sessions).isEmpty();
    }

    @Test
    void generatePasswordRefusesALengthOutsideThePolicyNamingTheField() {
        assertFieldViolation(
                () -> stub.generatePassword(GeneratePasswordRequest.newBuilder()
                        .setPolicy(PasswordConfig.newBuilder().setLength(7))
                        .build()),
                "policy.length");
    }

    @Test
    void aMissingInstanceIsRefusedNamingTheField() {
        assertFieldViolation(
                () -> stub.dropDatabase(
                        DropDatabaseRequest.newBuilder().setName("app").build()),
                "instance");
    }

    @Test
    void anUnsetEngineIsRefusedNamingTheField() {
        assertFieldViolation(
                () -> stub.dropDatabase(DropDatabaseRequest.newBuilder()
                        .setInstance(INSTANCE.toBuilder().setEngine(EngineType.ENGINE_TYPE_UNSPECIFIED))
                        .setName("app")
                        .build()),
                "instance.engine");
    }

    @Test
    void anEmptyHostIsRefusedNamingTheField() {
        assertFieldViolation(
                () -> stub.dropDatabase(DropDatabaseRequest.newBuilder()
                        .setInstance(INSTANCE.toBuilder().setHost(" "))
                        .setName("app")
                        .build()),
                "instance.host");
    }

    @Test
    void aPortBeyondTheRangeIsRefusedNamingTheField() {
        assertFieldViolation(
                () -> stub.dropDatabase(DropDatabaseRequest.newBuilder()
                        .setInstance(INSTANCE.toBuilder().setPort(65_536))
                        .setName("app")
                        .build()),
                "instance.port");
        assertFieldViolation(
                () -> stub.dropDatabase(DropDatabaseRequest.newBuilder()
                        .setInstance(INSTANCE.toBuilder().setPort(-1))
                        .setName("app")
                        .build()),
                "instance.port");
    }

    @Test
    void anEmptyObjectNameIsRefusedNamingItsField() {
        assertFieldViolation(
                () -> stub.ensureUser(EnsureUserRequest.newBuilder()
                        .setInstance(INSTANCE)
                        .setUser(UserDefinition.newBuilder().setPassword("pw"))
                        .build()),
                "user.name");
        assertFieldViolation(
                () -> stub.observeDatabase(ObserveDatabaseRequest.newBuilder()
                        .setInstance(INSTANCE)
                        .build()),
                "desired.name");
        assertThat(sessions).as("no session is opened for a refused request").isEmpty();
    }

    @Test
    void anEngineTypeWithoutAnEngineIsUnimplemented() {
        var error = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> stub.dropDatabase(DropDatabaseRequest.newBuilder()
                        .setInstance(INSTANCE.toBuilder().setEngine(EngineType.ENGINE_TYPE_CLICKHOUSE))
                        .setName("app")
                        .build()));

        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    }

    @Test
    void anEngineRefusalQuotingThePasswordsComesBackWithoutThem() {
        String userPassword = "dbpsrv-user-pw-42";
        engine.action = (session, user) -> {
            throw new EngineException.EngineRefused(
                    "user app",
                    "42501",
                    0,
                    "permission denied running ALTER ROLE app PASSWORD '" + userPassword + "' as admin/"
                            + ADMIN_PASSWORD,
                    null);
        };

        var error = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> stub.ensureUser(EnsureUserRequest.newBuilder()
                        .setInstance(INSTANCE)
                        .setUser(UserDefinition.newBuilder().setName("app").setPassword(userPassword))
                        .build()));

        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        com.google.rpc.Status status = StatusProto.fromThrowable(error);
        assertThat(status.toString()).doesNotContain(userPassword).doesNotContain(ADMIN_PASSWORD);
        assertThat(status.getMessage()).contains("user app").contains(Step.REDACTED);
    }

    @Test
    void aPassedDeadlineCancelsTheRunningStatementAndEndsDeadlineExceeded() {
        engine.action = (session, database) -> {
            FakeSession fake = (FakeSession) session;
            try {
                // The statement "runs" until the session is told to cancel it, as a JDBC Statement.cancel would.
                if (!fake.cancelled.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never cancelled");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new EngineException.EngineRefused(
                    "database app", "57014", 0, "canceling statement due to user request", null);
        };

        assertThatThrownBy(() -> stub.withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                        .ensureDatabase(EnsureDatabaseRequest.newBuilder()
                                .setInstance(INSTANCE)
                                .setDatabase(DatabaseDefinition.newBuilder().setName("app"))
                                .build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

        Await.until(Duration.ofSeconds(10), "the server has closed the call", () -> serverStatus.get() != null);
        assertThat(serverStatus.get().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(sessions.getFirst().cancelled.getCount()).isZero();
        assertThat(sessions.getFirst().deadline)
                .as("the session knows the call's deadline")
                .isNotNull();
        Await.until(Duration.ofSeconds(10), "the session is closed", () -> sessions.getFirst().closed);
    }

    private static void assertFieldViolation(Runnable call, String field) {
        var error = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        com.google.rpc.Status status = StatusProto.fromThrowable(error);
        assertThat(status.getCode()).isEqualTo(Code.INVALID_ARGUMENT_VALUE);
        assertThat(status.getDetailsList())
                .filteredOn(any -> any.is(BadRequest.class))
                .singleElement()
                .satisfies(any -> assertThat(any.unpack(BadRequest.class).getFieldViolationsList())
                        .singleElement()
                        .satisfies(v -> assertThat(v.getField()).isEqualTo(field)));
        assertThat(status.getDetailsList()).anySatisfy(any -> {
            assertThat(any.is(ErrorInfo.class)).isTrue();
            assertThat(any.unpack(ErrorInfo.class).getDomain()).isEqualTo(ErrorMapping.DOMAIN);
        });
        assertThat(status.toString()).doesNotContain(ADMIN_PASSWORD);
    }

    private ServerInterceptor recordClosingStatus() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                return next.startCall(
                        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                            @Override
                            public void close(Status status, Metadata trailers) {
                                serverStatus.set(status);
                                super.close(status, trailers);
                            }
                        },
                        headers);
            }
        };
    }
}
