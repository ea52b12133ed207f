package io.dbprovision.client.errors;

/** UNAVAILABLE: the server could not be reached or is not serving; idempotent calls were retried before this. */
public final class UnavailableException extends DbProvisionException {
    private static final long serialVersionUID = 1L;

    UnavailableException(Details details, Throwable cause) {
        super(details, cause);
    }
}
