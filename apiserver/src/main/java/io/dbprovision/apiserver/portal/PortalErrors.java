package io.dbprovision.apiserver.portal;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.registry.ApiException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;

/**
 * The one place where API errors become gRPC statuses, as {@code StatusDocuments} makes them Kubernetes {@code Status}
 * documents for REST: the code by the error's kind, its message as REST sends it, and {@code google.rpc} details —
 * always an {@link ErrorInfo} (domain {@value #DOMAIN}, reason the Kubernetes reason, the HTTP code REST answers), and
 * {@link BadRequest} field violations for invalid objects (the field paths of the REST causes), {@link ResourceInfo}
 * for a missing or taken name, {@link PreconditionFailure} for a stale etag, {@link RetryInfo} when retrying helps.
 * An internal error says nothing about its cause.
 */
public final class PortalErrors {
    public static final String DOMAIN = Schema.GROUP;

    private PortalErrors() {}

    public static StatusRuntimeException toStatus(ApiException error) {
        Code code = code(error);
        String message = error instanceof ApiException.Internal ? "an internal error occurred" : error.getMessage();
        com.google.rpc.Status.Builder status =
                com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(message);
        ApiException.Subject subject = error.subject();
        ErrorInfo.Builder info = ErrorInfo.newBuilder()
                .setDomain(DOMAIN)
                .setReason(error.reason())
                .putMetadata("code", Integer.toString(error.code()));
        if (!subject.name().isEmpty()) {
            info.putMetadata("name", subject.name());
        }
        if (!subject.resource().isEmpty()) {
            info.putMetadata("resource", subject.resource());
        }
        status.addDetails(Any.pack(info.build()));
        switch (error) {
            case ApiException.Invalid invalid -> status.addDetails(Any.pack(fieldViolations(invalid.errors())));
            case ApiException.NotFound notFound -> status.addDetails(Any.pack(resourceInfo(subject, message)));
            case ApiException.AlreadyExists exists -> status.addDetails(Any.pack(resourceInfo(subject, message)));
            case ApiException.Conflict conflict ->
                status.addDetails(Any.pack(PreconditionFailure.newBuilder()
                        .addViolations(PreconditionFailure.Violation.newBuilder()
                                .setType("ResourceVersion")
                                .setSubject(qualified(subject))
                                .setDescription(message))
                        .build()));
            case ApiException.ApplyConflict conflict -> {
                PreconditionFailure.Builder failure = PreconditionFailure.newBuilder();
                for (ApiException.ApplyConflict.Cause cause : conflict.causes()) {
                    failure.addViolations(PreconditionFailure.Violation.newBuilder()
                            .setType(cause.reason())
                            .setSubject(cause.field())
                            .setDescription(cause.message()));
                }
                status.addDetails(Any.pack(failure.build()));
            }
            default -> {}
        }
        if (error.retryAfterSeconds() > 0 || error instanceof ApiException.Unavailable) {
            status.addDetails(Any.pack(RetryInfo.newBuilder()
                    .setRetryDelay(Duration.newBuilder().setSeconds(Math.max(1, error.retryAfterSeconds())))
                    .build()));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }

    /** INVALID_ARGUMENT for a field of the request message itself, with its field violation. */
    public static StatusRuntimeException toStatus(InvalidArgument error) {
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(Code.INVALID_ARGUMENT.getNumber())
                .setMessage(error.getMessage())
                .addDetails(Any.pack(ErrorInfo.newBuilder()
                        .setDomain(DOMAIN)
                        .setReason("BadRequest")
                        .putMetadata("code", "400")
                        .build()))
                .addDetails(Any.pack(BadRequest.newBuilder()
                        .addFieldViolations(BadRequest.FieldViolation.newBuilder()
                                .setField(error.field())
                                .setDescription(error.description())
                                .setReason("FieldValueInvalid"))
                        .build()))
                .build();
        return StatusProto.toStatusRuntimeException(status);
    }

    static Code code(ApiException error) {
        return switch (error) {
            case ApiException.Invalid e -> Code.INVALID_ARGUMENT;
            case ApiException.BadRequest e -> Code.INVALID_ARGUMENT;
            case ApiException.UnsupportedMediaType e -> Code.INVALID_ARGUMENT;
            case ApiException.NotAcceptable e -> Code.INVALID_ARGUMENT;
            case ApiException.RequestEntityTooLarge e -> Code.INVALID_ARGUMENT;
            case ApiException.NotFound e -> Code.NOT_FOUND;
            case ApiException.AlreadyExists e -> Code.ALREADY_EXISTS;
            case ApiException.Conflict e -> Code.ABORTED;
            case ApiException.ApplyConflict e -> Code.ABORTED;
            case ApiException.Forbidden e -> Code.PERMISSION_DENIED;
            case ApiException.Unauthorized e -> Code.UNAUTHENTICATED;
            case ApiException.TooManyRequests e -> Code.RESOURCE_EXHAUSTED;
            case ApiException.Expired e -> Code.OUT_OF_RANGE;
            case ApiException.FellBehind e -> Code.OUT_OF_RANGE;
            case ApiException.MethodNotAllowed e -> Code.UNIMPLEMENTED;
            case ApiException.RequestTimeout e -> Code.DEADLINE_EXCEEDED;
            case ApiException.Timeout e -> Code.DEADLINE_EXCEEDED;
            // the store has not reached the version asked for yet: retry shortly
            case ApiException.TooLargeResourceVersion e -> Code.UNAVAILABLE;
            case ApiException.Unavailable e -> Code.UNAVAILABLE;
            case ApiException.Internal e -> Code.INTERNAL;
        };
    }

    private static BadRequest fieldViolations(List<FieldError> errors) {
        BadRequest.Builder badRequest = BadRequest.newBuilder();
        for (FieldError error : errors) {
            badRequest.addFieldViolations(BadRequest.FieldViolation.newBuilder()
                    .setField(error.path().toString())
                    .setDescription(error.message())
                    .setReason(error.type().reason()));
        }
        return badRequest.build();
    }

    private static ResourceInfo resourceInfo(ApiException.Subject subject, String message) {
        return ResourceInfo.newBuilder()
                .setResourceType(qualified(subject))
                .setResourceName(subject.name())
                .setDescription(message)
                .build();
    }

    private static String qualified(ApiException.Subject subject) {
        return subject.group().isEmpty() ? subject.resource() : subject.resource() + "." + subject.group();
    }
}
