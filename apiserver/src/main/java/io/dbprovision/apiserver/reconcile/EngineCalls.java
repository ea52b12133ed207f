package io.dbprovision.apiserver.reconcile;

import io.dbprovision.apiserver.provisioning.EngineChannel;
import io.dbprovision.proto.engine.v1alpha1.EngineServiceGrpc.EngineServiceBlockingStub;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.function.Function;

/**
 * Calls to the provisioner with a deadline, their failures turned into {@link ReconcileFailure}s: a server that
 * cannot be reached or answers too late is transient (retried with backoff); a request the engine refuses — an
 * invalid name, a missing privilege — is permanent until the spec changes. The provisioner's status messages never
 * carry a secret, so they go into status and events as they are.
 */
public final class EngineCalls {
    private final EngineChannel channel;
    private final Duration deadline;

    public EngineCalls(EngineChannel channel, Duration deadline) {
        this.channel = channel;
        this.deadline = deadline;
    }

    /** {@code call} on a fresh stub; {@code what} names the step in a failure ("create database app"). */
    public <T> T call(String what, Function<EngineServiceBlockingStub, T> call) {
        return call(what, deadline, call);
    }

    /** As {@link #call(String, Function)} with a deadline of its own. */
    public <T> T call(String what, Duration deadline, Function<EngineServiceBlockingStub, T> call) {
        try {
            return call.apply(channel.engine(deadline));
        } catch (StatusRuntimeException e) {
            throw failure(what, e.getStatus(), e);
        }
    }

    static ReconcileFailure failure(String what, Status status, Throwable cause) {
        String detail = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        String message = what + ": " + detail;
        return switch (status.getCode()) {
            case UNAVAILABLE -> new ReconcileFailure("ConnectionFailed", message, true, cause);
            case DEADLINE_EXCEEDED -> new ReconcileFailure("Timeout", message, true, cause);
            case CANCELLED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNKNOWN, DATA_LOSS ->
                new ReconcileFailure("EngineError", message, true, cause);
            case PERMISSION_DENIED, UNAUTHENTICATED -> new ReconcileFailure("PermissionDenied", message, false, cause);
            case INVALID_ARGUMENT, OUT_OF_RANGE -> new ReconcileFailure("InvalidSpec", message, false, cause);
            case FAILED_PRECONDITION, NOT_FOUND, ALREADY_EXISTS ->
                new ReconcileFailure("EngineRefused", message, false, cause);
            case UNIMPLEMENTED -> new ReconcileFailure("Unsupported", message, false, cause);
            case OK -> new ReconcileFailure("EngineError", message, true, cause);
        };
    }
}
