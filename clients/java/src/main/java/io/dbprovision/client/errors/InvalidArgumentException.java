package io.dbprovision.client.errors;

import java.util.List;

/**
 * INVALID_ARGUMENT: the request or the object is invalid; {@link #violations()} lists each invalid field as the
 * server's {@code google.rpc.BadRequest} named it (empty when the server sent no field details).
 */
public final class InvalidArgumentException extends DbProvisionException {
    private static final long serialVersionUID = 1L;

    private final List<FieldViolation> violations;

    InvalidArgumentException(Details details, List<FieldViolation> violations, Throwable cause) {
        super(details, cause);
        this.violations = List.copyOf(violations);
    }

    public List<FieldViolation> violations() {
        return violations;
    }
}
