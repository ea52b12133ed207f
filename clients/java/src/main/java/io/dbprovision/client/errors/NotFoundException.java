package io.dbprovision.client.errors;

/** NOT_FOUND: the object (or its namespace) does not exist. */
public final class NotFoundException extends DbProvisionException {
    private static final long serialVersionUID = 1L;

    NotFoundException(Details details, Throwable cause) {
        super(details, cause);
    }
}
