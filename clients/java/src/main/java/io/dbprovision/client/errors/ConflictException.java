package io.dbprovision.client.errors;

import java.util.List;

/**
 * ABORTED: the object changed since the version the write named (its etag, metadata.resource_version); read it again and retry. {@link #violations()} holds the server's {@code google.rpc.PreconditionFailure} entries.
 */
public final class ConflictException extends DbProvisionException {
    private static final long serialVersionUID = 1L;

    private final List<PreconditionViolation> violations;

    ConflictException(Details details, List<PreconditionViolation> violations, Throwable cause) {
        super(details, cause);
        this.violations = List.copyOf(violations);
    }

    public List<PreconditionViolation> violations() {
        return violations;
    }
}
