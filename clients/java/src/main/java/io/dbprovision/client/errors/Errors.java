package io.dbprovision.client.errors;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;

/** Maps a failed call's gRPC status, with its {@code google.rpc} details, to a {@link DbProvisionException}. */
public final class Errors {
    /** Descriptions longer than this are cut: an error line is for people, and a hostile server could send megabytes. */
    private static final int MAX_MESSAGE = 4096;

    private Errors() {}

    /** The exception for {@code failure}: a {@link StatusRuntimeException} or {@link StatusException} of a call. */
    public static DbProvisionException from(Throwable failure) {
        Status status = Status.fromThrowable(failure);
        com.google.rpc.Status rich = StatusProto.fromThrowable(failure);
        List<FieldViolation> fields = new ArrayList<>();
        List<PreconditionViolation> preconditions = new ArrayList<>();
        String reason = "";
        if (rich != null) {
            for (Any detail : rich.getDetailsList()) {
                try {
                    if (detail.is(BadRequest.class)) {
                        detail.unpack(BadRequest.class)
                                .getFieldViolationsList()
                                .forEach(v -> fields.add(new FieldViolation(v.getField(), v.getDescription())));
                    } else if (detail.is(PreconditionFailure.class)) {
                        detail.unpack(PreconditionFailure.class)
                                .getViolationsList()
                                .forEach(v -> preconditions.add(
                                        new PreconditionViolation(v.getType(), v.getSubject(), v.getDescription())));
                    } else if (detail.is(ErrorInfo.class)) {
                        reason = detail.unpack(ErrorInfo.class).getReason();
                    }
                } catch (InvalidProtocolBufferException e) {
                    // A detail that does not parse is dropped; the status code and description still tell the story.
                }
            }
        }
        DbProvisionException.Details details =
                new DbProvisionException.Details(status.getCode(), message(status), reason);
        return switch (status.getCode()) {
            case NOT_FOUND -> new NotFoundException(details, failure);
            case ALREADY_EXISTS -> new AlreadyExistsException(details, failure);
            case INVALID_ARGUMENT -> new InvalidArgumentException(details, fields, failure);
            case ABORTED -> new ConflictException(details, preconditions, failure);
            case FAILED_PRECONDITION -> new FailedPreconditionException(details, preconditions, failure);
            case PERMISSION_DENIED -> new PermissionDeniedException(details, failure);
            case UNAUTHENTICATED -> new UnauthenticatedException(details, failure);
            case UNAVAILABLE -> new UnavailableException(details, failure);
            case DEADLINE_EXCEEDED -> new DeadlineExceededException(details, failure);
            case OUT_OF_RANGE -> new ExpiredException(details, failure);
            case RESOURCE_EXHAUSTED -> new ResourceExhaustedException(details, failure);
            case CANCELLED -> new CancelledException(details, failure);
            default -> new ServerErrorException(details, failure);
        };
    }

    private static String message(Status status) {
        String description = status.getDescription();
        if (description == null || description.isBlank()) {
            description =
                    status.getCause() != null ? status.getCause().getClass().getSimpleName() : "no description";
        }
        if (description.length() > MAX_MESSAGE) {
            description = description.substring(0, MAX_MESSAGE) + "…";
        }
        return status.getCode() + ": " + description;
    }
}
