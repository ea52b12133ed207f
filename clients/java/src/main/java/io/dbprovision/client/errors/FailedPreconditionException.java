package io.dbprovision.client.errors;

import java.util.List;

/**
 * FAILED_PRECONDITION: the system is not in a state the call needs: a dependency missing, deletion protection on, or (RequestDatabase) an object that Failed. {@link #violations()} holds the server's {@code google.rpc.PreconditionFailure} entries.
 */
public final class FailedPreconditionException extends DbProvisionException {
    private static final long serialVersionUID = 1L;

    private final List<PreconditionViolation> violations;

    FailedPreconditionException(Details details, List<PreconditionViolation> violations, Throwable cause) {
        super(details, cause);
        this.violations = List.copyOf(violations);
    }

    public List<PreconditionViolation> violations() {
        return violations;
    }
}
