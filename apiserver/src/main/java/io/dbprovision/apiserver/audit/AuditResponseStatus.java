package io.dbprovision.apiserver.audit;

/**
 * The outcome of a request as its event records it (the bounded fields of a {@code meta.k8s.io/v1} {@code Status}): the
 * HTTP code always; for a refused or failed request also the status ({@code Failure}), the machine-readable reason
 * ({@code Forbidden}, {@code NotFound}, …) and the message. A {@code Status}'s {@code details} (field causes) are left
 * out: a cause may quote the value it refuses. Messages are cut at {@value #MAX_MESSAGE_LENGTH} characters so that one
 * event stays one bounded line.
 */
public record AuditResponseStatus(int code, String status, String reason, String message) {
    static final int MAX_MESSAGE_LENGTH = 4096;

    public AuditResponseStatus {
        status = status == null ? "" : status;
        reason = reason == null ? "" : reason;
        message = Truncation.cut(message == null ? "" : message, MAX_MESSAGE_LENGTH);
    }

    /** The outcome of a request answered with {@code code} and no {@code Status} of failure. */
    public static AuditResponseStatus of(int code) {
        return new AuditResponseStatus(code, "", "", "");
    }

    /** The outcome of a request refused with a {@code Status} of failure. */
    public static AuditResponseStatus failure(int code, String reason, String message) {
        return new AuditResponseStatus(code, "Failure", reason, message);
    }
}
