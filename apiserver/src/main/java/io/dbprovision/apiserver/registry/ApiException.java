package io.dbprovision.apiserver.registry;

import io.dbprovision.api.field.FieldError;
import java.util.List;

/**
 * The errors of the API, one sealed hierarchy, each with the HTTP code and Kubernetes reason it is answered with.
 * Storage errors are translated into these once, in {@link ResourceStore}; the REST and gRPC layers each map these
 * once to their own status.
 */
public abstract sealed class ApiException extends RuntimeException {
    private final int code;
    private final String reason;

    protected ApiException(int code, String reason, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.reason = reason;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    /** Who the error is about, for {@code Status.details}; empty strings when nobody in particular. */
    public record Subject(String group, String resource, String name) {
        public static final Subject NONE = new Subject("", "", "");

        String qualified() {
            return group.isEmpty() ? resource : resource + "." + group;
        }
    }

    public Subject subject() {
        return Subject.NONE;
    }

    /** How many seconds the client should wait before it retries ({@code Status.details.retryAfterSeconds}); 0: none. */
    public int retryAfterSeconds() {
        return 0;
    }

    public static final class NotFound extends ApiException {
        private final Subject subject;

        public NotFound(Subject subject) {
            super(404, "NotFound", subject.qualified() + " \"" + subject.name() + "\" not found", null);
            this.subject = subject;
        }

        @Override
        public Subject subject() {
            return subject;
        }
    }

    public static final class AlreadyExists extends ApiException {
        private final Subject subject;

        public AlreadyExists(Subject subject) {
            super(409, "AlreadyExists", subject.qualified() + " \"" + subject.name() + "\" already exists", null);
            this.subject = subject;
        }

        @Override
        public Subject subject() {
            return subject;
        }
    }

    public static final class Conflict extends ApiException {
        private final Subject subject;

        public Conflict(Subject subject, String detail) {
            super(
                    409,
                    "Conflict",
                    "Operation cannot be fulfilled on " + subject.qualified() + " \"" + subject.name() + "\": "
                            + detail,
                    null);
            this.subject = subject;
        }

        @Override
        public Subject subject() {
            return subject;
        }
    }

    /**
     * 409 of a server-side apply that would change fields other managers own; {@code details} carries only the
     * causes, one {@code FieldManagerConflict} per field, as Kubernetes' {@code NewApplyConflict}.
     */
    public static final class ApplyConflict extends ApiException {
        private final List<Cause> causes;

        /** One conflicting field: {@code message} names the manager, {@code field} is like {@code .spec.engine}. */
        public record Cause(String reason, String message, String field) {}

        public ApplyConflict(String message, List<Cause> causes) {
            super(409, "Conflict", message, null);
            this.causes = List.copyOf(causes);
        }

        public List<Cause> causes() {
            return causes;
        }
    }

    /** 422 with one cause per field error. {@code kind} is the kind (not the resource), as Kubernetes reports it. */
    public static final class Invalid extends ApiException {
        private final Subject subject;
        private final List<FieldError> errors;

        public Invalid(String group, String kind, String name, List<FieldError> errors) {
            super(422, "Invalid", qualifiedKind(group, kind) + " \"" + name + "\" is invalid: " + join(errors), null);
            this.subject = new Subject(group, kind, name);
            this.errors = List.copyOf(errors);
        }

        public List<FieldError> errors() {
            return errors;
        }

        @Override
        public Subject subject() {
            return subject;
        }

        private static String qualifiedKind(String group, String kind) {
            return group.isEmpty() ? kind : kind + "." + group;
        }

        private static String join(List<FieldError> errors) {
            if (errors.size() == 1) {
                return errors.getFirst().toString();
            }
            return "["
                    + String.join(
                            ", ", errors.stream().map(FieldError::toString).toList()) + "]";
        }
    }

    public static final class BadRequest extends ApiException {
        public BadRequest(String message) {
            super(400, "BadRequest", message, null);
        }
    }

    public static final class Unauthorized extends ApiException {
        public Unauthorized(String message) {
            super(401, "Unauthorized", message, null);
        }
    }

    public static final class Forbidden extends ApiException {
        public Forbidden(String message) {
            super(403, "Forbidden", message, null);
        }
    }

    public static final class MethodNotAllowed extends ApiException {
        public MethodNotAllowed(String message) {
            super(405, "MethodNotAllowed", message, null);
        }
    }

    public static final class NotAcceptable extends ApiException {
        public NotAcceptable(String message) {
            super(406, "NotAcceptable", message, null);
        }
    }

    public static final class Expired extends ApiException {
        public Expired(String message) {
            super(410, "Expired", message, null);
        }
    }

    /**
     * A watch cut off because its watcher fell too far behind: answered as {@link Expired} (410, so that an HTTP
     * client re-lists, as with Kubernetes' watch cache), but a type of its own, so that an in-process watcher whose
     * last version is still in the store's window can simply watch again from it instead of listing everything.
     */
    public static final class FellBehind extends ApiException {
        public FellBehind(String message) {
            super(410, "Expired", message, null);
        }
    }

    public static final class RequestEntityTooLarge extends ApiException {
        public RequestEntityTooLarge(String message) {
            super(413, "RequestEntityTooLarge", message, null);
        }
    }

    public static final class UnsupportedMediaType extends ApiException {
        public UnsupportedMediaType(String message) {
            super(415, "UnsupportedMediaType", message, null);
        }
    }

    public static final class TooManyRequests extends ApiException {
        public TooManyRequests(String message) {
            super(429, "TooManyRequests", message, null);
        }

        @Override
        public int retryAfterSeconds() {
            return 1;
        }
    }

    /** 408: the request (its body) did not arrive in time. */
    public static final class RequestTimeout extends ApiException {
        public RequestTimeout(String message) {
            super(408, "Timeout", message, null);
        }
    }

    /**
     * 504 for a read of a resourceVersion the store has not reached after a short wait, as Kubernetes'
     * {@code NewTooLargeResourceVersionError}: reason Timeout with one cause {@code ResourceVersionTooLarge}, which
     * clients (client-go's reflector) recognise and retry.
     */
    public static final class TooLargeResourceVersion extends ApiException {
        public TooLargeResourceVersion(long requested, long current) {
            super(504, "Timeout", "Timeout: Too large resource version: " + requested + ", current: " + current, null);
        }

        @Override
        public int retryAfterSeconds() {
            return 1;
        }
    }

    public static final class Internal extends ApiException {
        public Internal(String message, Throwable cause) {
            super(500, "InternalError", message, cause);
        }
    }

    public static final class Unavailable extends ApiException {
        public Unavailable(String message, Throwable cause) {
            super(503, "ServiceUnavailable", message, cause);
        }
    }

    public static final class Timeout extends ApiException {
        public Timeout(String message) {
            super(504, "Timeout", message, null);
        }
    }
}
