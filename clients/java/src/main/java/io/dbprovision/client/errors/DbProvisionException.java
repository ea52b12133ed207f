package io.dbprovision.client.errors;

import io.grpc.Status;
import java.util.Optional;

/**
 * A call to the portal API failed. One subclass per way it can fail, so callers catch what they can handle ({@code
 * catch (NotFoundException e)}) or switch over the sealed hierarchy; {@link Errors#from} maps a gRPC status to its
 * subclass once, with the {@code google.rpc} details the server sent. The message is the server's description
 * prefixed with the status code; the client adds nothing of its own credentials to it.
 */
public abstract sealed class DbProvisionException extends RuntimeException
        permits NotFoundException,
                AlreadyExistsException,
                InvalidArgumentException,
                ConflictException,
                FailedPreconditionException,
                PermissionDeniedException,
                UnauthenticatedException,
                UnavailableException,
                DeadlineExceededException,
                ExpiredException,
                ResourceExhaustedException,
                CancelledException,
                ServerErrorException {
    private static final long serialVersionUID = 1L;

    private final transient Status.Code code;
    private final String reason;

    DbProvisionException(Details details, Throwable cause) {
        super(details.message(), cause);
        this.code = details.code();
        this.reason = details.reason();
    }

    /** The gRPC status code. */
    public Status.Code code() {
        return code;
    }

    /**
     * The Kubernetes Status reason the server named in its {@code google.rpc.ErrorInfo} (such as {@code NotFound},
     * {@code Invalid}, {@code Conflict}); empty when it sent none (errors raised on the client's side).
     */
    public Optional<String> reason() {
        return reason.isEmpty() ? Optional.empty() : Optional.of(reason);
    }

    /** What {@link Errors} read off a status, for the constructors. */
    record Details(Status.Code code, String message, String reason) {}
}
