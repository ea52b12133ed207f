package io.dbprovision.provisioner.service;

import com.google.protobuf.Message;
import io.dbprovision.proto.engine.v1alpha1.ApplyGrantsRequest;
import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.CheckInstanceRequest;
import io.dbprovision.proto.engine.v1alpha1.CheckInstanceResponse;
import io.dbprovision.proto.engine.v1alpha1.DropDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.DropRoleRequest;
import io.dbprovision.proto.engine.v1alpha1.DropUserRequest;
import io.dbprovision.proto.engine.v1alpha1.EngineServiceGrpc;
import io.dbprovision.proto.engine.v1alpha1.EnsureDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.EnsureRoleRequest;
import io.dbprovision.proto.engine.v1alpha1.EnsureUserRequest;
import io.dbprovision.proto.engine.v1alpha1.GeneratePasswordRequest;
import io.dbprovision.proto.engine.v1alpha1.GeneratePasswordResponse;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.engine.v1alpha1.ObserveDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.ObserveDatabaseResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveGrantsRequest;
import io.dbprovision.proto.engine.v1alpha1.ObserveGrantsResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveRoleRequest;
import io.dbprovision.proto.engine.v1alpha1.ObserveRoleResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveUserRequest;
import io.dbprovision.proto.engine.v1alpha1.ObserveUserResponse;
import io.dbprovision.proto.engine.v1alpha1.RevokeGrantsRequest;
import io.dbprovision.proto.engine.v1alpha1.RoleDefinition;
import io.dbprovision.proto.engine.v1alpha1.RunInitSqlRequest;
import io.dbprovision.proto.engine.v1alpha1.RunInitSqlResponse;
import io.dbprovision.proto.engine.v1alpha1.TerminateConnectionsRequest;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.provisioner.engine.Engine;
import io.dbprovision.provisioner.engine.Engines;
import io.dbprovision.provisioner.engine.password.PasswordGenerator;
import io.dbprovision.provisioner.service.RequestEnvelope.Required;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine service over gRPC, kept thin: it checks each request's envelope, picks the engine for the instance,
 * opens the call's session, ties the call's cancellation (a passed deadline, a client that went away, a server
 * shutting down) to cancelling the statement running on the engine, hands the work to the engine, and answers with
 * the engine's result or the session's plan. Failures become statuses in {@link ErrorMapping} only. It never logs a
 * request; log lines name the method, the engine, host and port, and the object.
 */
public final class EngineGrpcService extends EngineServiceGrpc.EngineServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(EngineGrpcService.class);

    private final Engines engines;
    private final SessionFactory sessions;
    private final PasswordGenerator passwords;
    private final Executor cancelExecutor;

    /**
     * @param cancelExecutor runs the cancellation of a statement (a blocking round trip to the engine), never on a
     *     transport thread
     */
    public EngineGrpcService(
            Engines engines, SessionFactory sessions, PasswordGenerator passwords, Executor cancelExecutor) {
        this.engines = Objects.requireNonNull(engines);
        this.sessions = Objects.requireNonNull(sessions);
        this.passwords = Objects.requireNonNull(passwords);
        this.cancelExecutor = Objects.requireNonNull(cancelExecutor);
    }

    /** Cancellations on virtual threads of their own. */
    public EngineGrpcService(Engines engines, SessionFactory sessions, PasswordGenerator passwords) {
        this(
                engines,
                sessions,
                passwords,
                task -> Thread.ofVirtual().name("engine-cancel").start(task));
    }

    @Override
    public void checkInstance(CheckInstanceRequest request, StreamObserver<CheckInstanceResponse> out) {
        serve("CheckInstance", request, request.hasInstance(), request.getInstance(), false, null, Engine::check, out);
    }

    @Override
    public void generatePassword(GeneratePasswordRequest request, StreamObserver<GeneratePasswordResponse> out) {
        GeneratePasswordResponse response;
        try {
            response = GeneratePasswordResponse.newBuilder()
                    .setPassword(passwords.generate(request.getPolicy()))
                    .build();
        } catch (RuntimeException | Error e) {
            out.onError(ErrorMapping.toStatus(e, false, RequestSecrets.of(request)));
            return;
        }
        out.onNext(response);
        out.onCompleted();
    }

    @Override
    public void ensureDatabase(EnsureDatabaseRequest request, StreamObserver<ChangeResponse> out) {
        String name = request.getDatabase().getName();
        serve(
                "EnsureDatabase",
                request,
                request.hasInstance(),
                request.getInstance(),
                request.getValidateOnly(),
                new Required("database.name", name),
                (engine, session) -> {
                    Optional<ObserveDatabaseResponse> created = engine.ensureDatabase(session, request.getDatabase());
                    ChangeResponse result = session.result();
                    return created.map(state ->
                                    result.toBuilder().setCreatedDatabase(state).build())
                            .orElse(result);
                },
                out);
    }

    @Override
    public void dropDatabase(DropDatabaseRequest request, StreamObserver<ChangeResponse> out) {
        change(
                "DropDatabase",
                request,
                request.hasInstance(),
                request.getInstance(),
                request.getValidateOnly(),
                new Required("name", request.getName()),
                (engine, session) -> engine.dropDatabase(session, request.getName()),
                out);
    }

    @Override
    public void observeDatabase(ObserveDatabaseRequest request, StreamObserver<ObserveDatabaseResponse> out) {
        serve(
                "ObserveDatabase",
                request,
                request.hasInstance(),
                request.getInstance(),
                false,
                new Required("desired.name", request.getDesired().getName()),
                (engine, session) -> engine.observeDatabase(session, request.getDesired()),
                out);
    }

    @Override
    public void ensureUser(EnsureUserRequest request, StreamObserver<ChangeResponse> out) {
        UserDefinition user = request.getUser();
        serve(
                "EnsureUser",
                request,
                request.hasInstance(),
                request.getInstance(),
                request.getValidateOnly(),
                new Required("user.name", user.getName()),
                (engine, session) -> {
                    Optional<ObserveUserResponse> created =
                            engine.ensureUser(session, user, request.getRemoveUnlistedHosts());
                    ChangeResponse result = session.result();
                    return created.map(state ->
                                    result.toBuilder().setCreatedUser(state).build())
                            .orElse(result);
                },
                out);
    }

    @Override
    public void dropUser(DropUserRequest request, StreamObserver<ChangeResponse> out) {
        change(
                "DropUser",
                request,
                request.hasInstance(),
                request.getInstance(),
                request.getValidateOnly(),
                new Required("name", request.getName()),
                (engine, session) -> engine.dropUser(session, request.getName(), request.getReassignOwnedTo()),
                out);
    }

    @Override
    public void observeUser(ObserveUserRequest request, StreamObserver<ObserveUserResponse> out) {
        serve(
                "ObserveUser",
                request,
                request.hasInstance(),
                request.getInstance(),
                false,
                new Required("desired.name", request.getDesired().getName()),
                (engine, session) -> engine.observeUser(session, request.getDesired()),
                out);
    }

    @Override
    public void ensureRole(EnsureRoleRequest request, StreamObserver<ChangeResponse> out) {
        RoleDefinition role = request.getRole();
        change(
                "EnsureRole",
                request,
                request.hasInstance(),
                request.getInstance(),
                request.getValidateOnly(),
                new Required("role.name", role.getName()),
                (engine, session) -> engine.ensureRole(session, role),
                out);
    }

    @Override
    public void dropRole(DropRoleRequest request, StreamObserver<ChangeResponse> out) {
        change(
                "DropRole",
                request,
                request.hasInstance(),
                request.getInstance(),
                request.getValidateOnly(),
                new Required("name", request.getName()),
                (engine, session) -> engine.dropRole(session, request.getName(), request.getReassignOwnedTo()),
                out);
    }

    @Override
    public void observeRole(ObserveRoleRequest request, StreamObserver<ObserveRoleResponse> out) {
        serve(
                "ObserveRole",
                request,
                request.hasInstance(),
                request.getInstance(),
                false,
                new Required("desired.name", request.getDesired().getName()),
                (engine, session) -> engine.observeRole(session, request.getDesired()),
                out);
    }

    @Override
    public void applyGrants(ApplyGrantsRequest request, StreamObserver<ChangeResponse> out) {
        change(
                "ApplyGrants",
                request,
                request.hasInstance(),
                request.getInstance(),
                request.getValidateOnly(),
                new Required("grants.grantee", request.getGrants().getGrantee()),
                (engine, session) -> engine.applyGrants(session, request.getGrants(), request.getRevokeUnlisted()),
                out);
    }

    @Override
    public void revokeGrants(RevokeGrantsRequest request, StreamObserver<ChangeResponse> out) {
        change(
                "RevokeGrants",
                request,
                request.hasInstance(),
                request.getInstance(),
                request.getValidateOnly(),
                new Required("grants.grantee", request.getGrants().getGrantee()),
                (engine, session) -> engine.revokeGrants(session, request.getGrants()),
                out);
    }

    @Override
    public void observeGrants(ObserveGrantsRequest request, StreamObserver<ObserveGrantsResponse> out) {
        serve(
                "ObserveGrants",
                request,
                request.hasInstance(),
                request.getInstance(),
                false,
                new Required("desired.grantee", request.getDesired().getGrantee()),
                (engine, session) -> engine.observeGrants(session, request.getDesired()),
                out);
    }

    @Override
    public void runInitSql(RunInitSqlRequest request, StreamObserver<RunInitSqlResponse> out) {
        serve(
                "RunInitSql",
                request,
                request.hasInstance(),
                request.getInstance(),
                request.getValidateOnly(),
                new Required("database", request.getDatabase()),
                (engine, session) -> {
                    RunInitSqlResponse response = engine.runInitSql(
                            session, request.getDatabase(), request.getRunAsRole(), request.getStatementsList());
                    // The engine may leave the plan to the session, which recorded every statement it was handed.
                    return response.getPlanCount() > 0
                            ? response
                            : response.toBuilder()
                                    .addAllPlan(session.result().getPlanList())
                                    .build();
                },
                out);
    }

    @Override
    public void terminateConnections(TerminateConnectionsRequest request, StreamObserver<ChangeResponse> out) {
        change(
                "TerminateConnections",
                request,
                request.hasInstance(),
                request.getInstance(),
                request.getValidateOnly(),
                new Required("database", request.getDatabase()),
                (engine, session) -> engine.terminateConnections(session, request.getDatabase()),
                out);
    }

    /** A "make it so" call: the answer is the session's record of what ran (or would run). */
    private void change(
            String method,
            Message request,
            boolean hasInstance,
            Instance instance,
            boolean validateOnly,
            Required name,
            BiConsumer<Engine, CallSession> work,
            StreamObserver<ChangeResponse> out) {
        serve(
                method,
                request,
                hasInstance,
                instance,
                validateOnly,
                name,
                (engine, session) -> {
                    work.accept(engine, session);
                    return session.result();
                },
                out);
    }

    private <R> void serve(
            String method,
            Message request,
            boolean hasInstance,
            Instance instance,
            boolean validateOnly,
            Required name, // null: the call is about the instance itself
            BiFunction<Engine, CallSession, R> work,
            StreamObserver<R> out) {
        Context context = Context.current();
        String object = name == null ? "instance" : name.field() + "=" + name.value();
        R response;
        try {
            if (name == null) {
                RequestEnvelope.check(hasInstance, instance);
            } else {
                RequestEnvelope.check(hasInstance, instance, name);
            }
            Engine engine = engines.engine(instance.getEngine());
            LOG.debug(
                    "{} {} on {} {}:{}{}",
                    method,
                    object,
                    instance.getEngine(),
                    instance.getHost(),
                    instance.getPort(),
                    validateOnly ? " (validate only)" : "");
            response = runCancellable(context, validateOnly, instance, engine, work);
        } catch (RuntimeException | Error e) {
            boolean deadlineExpired = expired(context.getDeadline());
            LOG.debug(
                    "{} {} on {}:{} failed: {}",
                    method,
                    object,
                    instance.getHost(),
                    instance.getPort(),
                    e.getClass().getSimpleName());
            // Only a failure needs the request's secrets (to scrub them from the status); finding them walks the
            // whole request, so a call that succeeds does not.
            out.onError(ErrorMapping.toStatus(e, deadlineExpired, RequestSecrets.of(request)));
            return;
        }
        out.onNext(response);
        out.onCompleted();
    }

    private <R> R runCancellable(
            Context context,
            boolean validateOnly,
            Instance instance,
            Engine engine,
            BiFunction<Engine, CallSession, R> work) {
        Deadline deadline = context.getDeadline();
        Instant end = deadline == null ? null : Instant.now().plusNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS));
        try (CallSession session = sessions.open(instance, validateOnly, end)) {
            // Fires when the deadline passes, the client cancels or the server is forced down; removed before the
            // answer goes out, because gRPC also cancels a call's context once the call has completed.
            Context.CancellationListener cancel = cancelled -> session.cancel();
            context.addListener(cancel, cancelExecutor);
            try {
                return work.apply(engine, session);
            } finally {
                context.removeListener(cancel);
            }
        }
    }

    private static boolean expired(Deadline deadline) {
        return deadline != null && deadline.isExpired();
    }
}
