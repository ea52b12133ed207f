package io.dbprovision.client.errors;

/** ALREADY_EXISTS: an object of that kind and name exists already. */
public final class AlreadyExistsException extends DbProvisionException {
    private static final long serialVersionUID = 1L;

    AlreadyExistsException(Details details, Throwable cause) {
        super(details, cause);
    }
}
