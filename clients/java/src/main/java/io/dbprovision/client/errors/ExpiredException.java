package io.dbprovision.client.errors;

/** OUT_OF_RANGE: a watch from a resource version the server no longer has; list again and watch from the list's version. */
public final class ExpiredException extends DbProvisionException {
    private static final long serialVersionUID = 1L;

    ExpiredException(Details details, Throwable cause) {
        super(details, cause);
    }
}
