package io.dbprovision.provisioner.service;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.EngineException.ConnectionsBusy;
import io.dbprovision.provisioner.engine.EngineException.EngineRefused;
import io.dbprovision.provisioner.engine.EngineException.InstanceUnavailable;
import io.dbprovision.provisioner.engine.EngineException.InvalidDefinition;
import io.dbprovision.provisioner.engine.EngineException.Unsupported;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a failure becomes a gRPC status: each {@link EngineException} kind gets its code and its
 * {@code google.rpc} details (BadRequest field violations, ErrorInfo with the SQLSTATE and vendor code, ResourceInfo
 * naming the object), anything else becomes INTERNAL with a generic message and a correlation id that is logged
 * beside the failure. Every text that leaves — message and detail strings — passes through the request's
 * {@link RequestSecrets}, so no status can carry a password even if a driver message quoted one.
 */
public final class ErrorMapping {
    /** ErrorInfo.domain of every status this service returns. */
    public static final String DOMAIN = "engine.dbprovision.io";

    public static final String REASON_INVALID_DEFINITION = "INVALID_DEFINITION";
    public static final String REASON_INSTANCE_UNAVAILABLE = "INSTANCE_UNAVAILABLE";
    public static final String REASON_CONNECTIONS_BUSY = "CONNECTIONS_BUSY";
    public static final String REASON_ENGINE_ERROR = "ENGINE_ERROR";
    public static final String REASON_UNSUPPORTED = "UNSUPPORTED";
    public static final String REASON_INTERNAL = "INTERNAL";

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

    // MySQL/MariaDB vendor codes, by how a caller reacts to them.
    private static final Set<Integer> MYSQL_DENIED = Set.of(1044, 1045, 1142, 1143, 1227, 1370, 1410, 3530);
    /** "Can't find any matching row in the user table" (SQLSTATE 28000): a GRANT or SET PASSWORD for no such user. */
    private static final int MYSQL_NO_SUCH_ACCOUNT = 1133;

    private static final Set<Integer> MYSQL_EXISTS = Set.of(1007, 1050, 1062);
    private static final Set<Integer> MYSQL_INTERRUPTED = Set.of(1317, 3024);
    private static final Set<Integer> MYSQL_RETRY = Set.of(1205, 1213);
    private static final Set<Integer> MYSQL_BUSY = Set.of(1040, 1203, 1226);
    private static final Set<String> SQLSTATE_EXISTS = Set.of("23505", "42710", "42P04", "42P06", "42P07", "42723");

    private ErrorMapping() {}

    /**
     * The status for a failure of a call.
     *
     * @param deadlineExpired whether the call's deadline had passed, which turns a cancelled statement into
     *     DEADLINE_EXCEEDED instead of CANCELLED
     */
    public static StatusRuntimeException toStatus(Throwable failure, boolean deadlineExpired, RequestSecrets secrets) {
        return StatusProto.toStatusRuntimeException(toStatusProto(failure, deadlineExpired, secrets));
    }

    /** As {@link #toStatus}, as the {@code google.rpc.Status} that travels in the trailers. */
    public static com.google.rpc.Status toStatusProto(
            Throwable failure, boolean deadlineExpired, RequestSecrets secrets) {
        com.google.rpc.Status status = switch (failure) {
            case InvalidDefinition e -> invalidDefinition(e);
            case InstanceUnavailable e -> instanceUnavailable(e);
            case ConnectionsBusy e -> connectionsBusy(e);
            case EngineRefused e -> engineRefused(e, deadlineExpired);
            case Unsupported e -> unsupported(e);
            case StatusRuntimeException e -> passThrough(e.getStatus());
            case StatusException e -> passThrough(e.getStatus());
            default -> internal(failure, secrets);
        };
        return scrub(status, secrets);
    }

    private static com.google.rpc.Status invalidDefinition(InvalidDefinition e) {
        String description = descriptionAfterField(e);
        return status(Code.INVALID_ARGUMENT, e.getMessage())
                .addDetails(Any.pack(BadRequest.newBuilder()
                        .addFieldViolations(BadRequest.FieldViolation.newBuilder()
                                .setField(e.field())
                                .setDescription(description))
                        .build()))
                .addDetails(Any.pack(errorInfo(REASON_INVALID_DEFINITION).build()))
                .build();
    }

    private static com.google.rpc.Status instanceUnavailable(InstanceUnavailable e) {
        return status(Code.UNAVAILABLE, e.getMessage())
                .addDetails(Any.pack(errorInfo(REASON_INSTANCE_UNAVAILABLE)
                        .putMetadata("host", e.host())
                        .putMetadata("port", Integer.toString(e.port()))
                        .build()))
                .build();
    }

    /**
     * RESOURCE_EXHAUSTED, not UNAVAILABLE: the server is up and nothing is wrong with it; this provisioner's
     * connections to it are all taken. Retryable, with a RetryInfo about as long as a call takes.
     */
    private static com.google.rpc.Status connectionsBusy(ConnectionsBusy e) {
        return status(Code.RESOURCE_EXHAUSTED, e.getMessage())
                .addDetails(Any.pack(errorInfo(REASON_CONNECTIONS_BUSY)
                        .putMetadata("host", e.host())
                        .putMetadata("port", Integer.toString(e.port()))
                        .putMetadata("connections", Integer.toString(e.connections()))
                        .putMetadata("waitedMillis", Long.toString(e.waitedMillis()))
                        .build()))
                .addDetails(Any.pack(RetryInfo.newBuilder()
                        .setRetryDelay(com.google.protobuf.Duration.newBuilder().setNanos(500_000_000))
                        .build()))
                .build();
    }

    private static com.google.rpc.Status engineRefused(EngineRefused e, boolean deadlineExpired) {
        Code code = codeOf(e.sqlState(), e.vendorCode(), deadlineExpired);
        com.google.rpc.Status.Builder status = status(code, e.getMessage())
                .addDetails(Any.pack(errorInfo(REASON_ENGINE_ERROR)
                        .putMetadata("sqlstate", e.sqlState())
                        .putMetadata("vendorCode", Integer.toString(e.vendorCode()))
                        .putMetadata("object", e.object())
                        .build()));
        if (code == Code.ALREADY_EXISTS || code == Code.FAILED_PRECONDITION || code == Code.PERMISSION_DENIED) {
            // The object the statement was about: what a caller shows next to the refusal.
            status.addDetails(Any.pack(ResourceInfo.newBuilder()
                    .setResourceType("engine object")
                    .setResourceName(e.object())
                    .setDescription(e.getMessage())
                    .build()));
        }
        return status.build();
    }

    /** The code for an engine's refusal, from the SQLSTATE (PostgreSQL, CockroachDB) or vendor code (MySQL). */
    static Code codeOf(String sqlState, int vendorCode, boolean deadlineExpired) {
        String state = sqlState == null ? "" : sqlState;
        if (state.equals("57014") || MYSQL_INTERRUPTED.contains(vendorCode)) {
            return deadlineExpired ? Code.DEADLINE_EXCEEDED : Code.CANCELLED;
        }
        if (state.equals("42501") || MYSQL_DENIED.contains(vendorCode)) {
            return Code.PERMISSION_DENIED;
        }
        if (state.startsWith("28") || vendorCode == MYSQL_NO_SUCH_ACCOUNT) {
            // Invalid authorization on a session that is logged in (a refused login never gets here: it is
            // InstanceUnavailable) names an account that is not there, such as a GRANT to a dropped user: the
            // engine's state, which the caller can change, not a privilege the admin lacks.
            return Code.FAILED_PRECONDITION;
        }
        if (SQLSTATE_EXISTS.contains(state) || MYSQL_EXISTS.contains(vendorCode)) {
            return Code.ALREADY_EXISTS;
        }
        if (state.startsWith("40") || MYSQL_RETRY.contains(vendorCode)) {
            // Serialization failure or deadlock: the same call again may well succeed.
            return Code.ABORTED;
        }
        if (state.startsWith("08")
                || state.startsWith("53")
                || state.equals("57P01")
                || state.equals("57P03")
                || MYSQL_BUSY.contains(vendorCode)) {
            return Code.UNAVAILABLE;
        }
        if (state.startsWith("22")) {
            // A value the engine cannot take (an unknown encoding, a bad locale): the request's, not the state's.
            return Code.INVALID_ARGUMENT;
        }
        if (state.startsWith("XX")) {
            return Code.INTERNAL;
        }
        // Dependent objects (2BP01), an object in use (55006), a missing referenced object (42704, 3D000, MySQL
        // 1049/1146/1396, and 1133 above) and every other refusal: the engine's state does not allow the call as it
        // stands.
        return Code.FAILED_PRECONDITION;
    }

    private static com.google.rpc.Status unsupported(Unsupported e) {
        return status(Code.UNIMPLEMENTED, e.getMessage())
                .addDetails(Any.pack(errorInfo(REASON_UNSUPPORTED).build()))
                .build();
    }

    private static com.google.rpc.Status passThrough(Status status) {
        com.google.rpc.Status.Builder builder =
                com.google.rpc.Status.newBuilder().setCode(status.getCode().value());
        if (status.getDescription() != null) {
            builder.setMessage(status.getDescription());
        }
        return builder.build();
    }

    private static com.google.rpc.Status internal(Throwable failure, RequestSecrets secrets) {
        String correlationId = UUID.randomUUID().toString();
        // The failure is logged scrubbed (a jOOQ exception's message quotes its SQL); the request never is.
        LOG.error("internal error {} while serving an engine call", correlationId, Redacted.copy(failure, secrets));
        return status(Code.INTERNAL, "internal error (correlation id " + correlationId + ")")
                .addDetails(Any.pack(errorInfo(REASON_INTERNAL)
                        .putMetadata("correlationId", correlationId)
                        .build()))
                .build();
    }

    private static com.google.rpc.Status.Builder status(Code code, String message) {
        return com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(message);
    }

    private static ErrorInfo.Builder errorInfo(String reason) {
        return ErrorInfo.newBuilder().setReason(reason).setDomain(DOMAIN);
    }

    private static String descriptionAfterField(InvalidDefinition e) {
        String prefix = e.field() + ": ";
        String message = e.getMessage();
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    /** The status with every string scrubbed: the message and every string inside every detail. */
    private static com.google.rpc.Status scrub(com.google.rpc.Status status, RequestSecrets secrets) {
        if (secrets.isEmpty()) {
            return status;
        }
        com.google.rpc.Status.Builder builder = status.toBuilder().setMessage(secrets.scrub(status.getMessage()));
        builder.clearDetails();
        for (Any detail : status.getDetailsList()) {
            builder.addDetails(scrubDetail(detail, secrets));
        }
        return builder.build();
    }

    private static Any scrubDetail(Any detail, RequestSecrets secrets) {
        try {
            if (detail.is(BadRequest.class)) {
                BadRequest.Builder bad = BadRequest.newBuilder();
                for (BadRequest.FieldViolation v :
                        detail.unpack(BadRequest.class).getFieldViolationsList()) {
                    bad.addFieldViolations(v.toBuilder()
                            .setField(secrets.scrub(v.getField()))
                            .setDescription(secrets.scrub(v.getDescription())));
                }
                return Any.pack(bad.build());
            }
            if (detail.is(ErrorInfo.class)) {
                ErrorInfo info = detail.unpack(ErrorInfo.class);
                ErrorInfo.Builder scrubbed = info.toBuilder().clearMetadata();
                info.getMetadataMap().forEach((k, v) -> scrubbed.putMetadata(k, secrets.scrub(v)));
                return Any.pack(scrubbed.build());
            }
            if (detail.is(RetryInfo.class)) {
                return detail; // a duration: nothing to scrub
            }
            if (detail.is(ResourceInfo.class)) {
                ResourceInfo info = detail.unpack(ResourceInfo.class);
                return Any.pack(info.toBuilder()
                        .setResourceName(secrets.scrub(info.getResourceName()))
                        .setDescription(secrets.scrub(info.getDescription()))
                        .build());
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("a detail this class packed does not unpack", e);
        }
        // Only the detail types above are ever built here.
        throw new IllegalStateException("unexpected status detail " + detail.getTypeUrl());
    }
}
