package io.dbprovision.client.errors;

/** UNAUTHENTICATED: no credentials, or credentials the server does not accept (a wrong or expired token). */
public final class UnauthenticatedException extends DbProvisionException {
    private static final long serialVersionUID = 1L;

    UnauthenticatedException(Details details, Throwable cause) {
        super(details, cause);
    }
}
