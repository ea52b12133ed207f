package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.dbprovision.apiserver.provisioning.EngineChannel;
import io.dbprovision.proto.engine.v1alpha1.EngineServiceGrpc.EngineServiceBlockingStub;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.function.Function;

/**
 * Calls to the provisioner with a deadline, their failures turned into {@link ReconcileFailure}s: a server that
 * cannot be reached or answers too late is transient (retried with backoff); a request the engine refuses — an
 * invalid name, a missing privilege — is permanent until the spec changes. The provisioner's status messages never
 * carry a secret, so they go into status and events as they are.
 */
public final class EngineCalls {
    /** ErrorInfo reason of the provisioner's "every connection to the server is in use" (its {@code ErrorMapping}). */
    static final String CONNECTIONS_BUSY = "CONNECTIONS_BUSY";

    static final String REASON_SERVER_BUSY = "ServerBusy";
    /** Set on a status this process made itself (the {@link ServerGate}'s wait ran out), not the provisioner. */
    static final Metadata.Key<String> LOCAL_REASON =
            Metadata.Key.of("x-dbprovision-local-reason", Metadata.ASCII_STRING_MARSHALLER);

    private final EngineChannel channel;
    private final Duration deadline;
    private final ServerGate gate;

    /**
     * @param perServer provisioner calls at once per database server, across every controller: as many as the
     *     provisioner's pool for a server has connections
     */
    public EngineCalls(EngineChannel channel, Duration deadline, int perServer) {
        this.channel = channel;
        this.deadline = deadline;
        this.gate = new ServerGate(perServer);
    }

    /** {@code call} on a fresh stub; {@code what} names the step in a failure ("create database app"). */
    public <T> T call(String what, Function<EngineServiceBlockingStub, T> call) {
        return call(what, deadline, call);
    }

    /** As {@link #call(String, Function)} with a deadline of its own. */
    public <T> T call(String what, Duration deadline, Function<EngineServiceBlockingStub, T> call) {
        try {
            return call.apply(channel.engine(deadline).withInterceptors(gate));
        } catch (StatusRuntimeException e) {
            throw failure(what, e.getStatus(), e);
        }
    }

    static ReconcileFailure failure(String what, Status status, Throwable cause) {
        String detail = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        String message = what + ": " + detail;
        if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED && busy(cause)) {
            // The server is fine; other calls to it hold every connection. Retried, and said without alarm.
            return ReconcileFailure.busy(what + ": waiting for a free connection (" + detail + ")", cause);
        }
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

    /** Whether a RESOURCE_EXHAUSTED is a wait for a connection: the provisioner's pool or this process's gate. */
    private static boolean busy(Throwable cause) {
        if (!(cause instanceof StatusRuntimeException e)) {
            return false;
        }
        Metadata trailers = e.getTrailers();
        if (trailers != null && REASON_SERVER_BUSY.equals(trailers.get(LOCAL_REASON))) {
            return true;
        }
        com.google.rpc.Status details = StatusProto.fromThrowable(e);
        if (details == null) {
            return false;
        }
        for (Any detail : details.getDetailsList()) {
            try {
                if (detail.is(ErrorInfo.class)
                        && CONNECTIONS_BUSY.equals(
                                detail.unpack(ErrorInfo.class).getReason())) {
                    return true;
                }
            } catch (InvalidProtocolBufferException ignored) {
                // Not an ErrorInfo after all: not ours.
            }
        }
        return false;
    }
}
