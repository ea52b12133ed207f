package io.dbprovision.client.errors;

/** CANCELLED: the call was cancelled, by the caller (closing a watch) or the server. */
public final class CancelledException extends DbProvisionException {
    private static final long serialVersionUID = 1L;

    CancelledException(Details details, Throwable cause) {
        super(details, cause);
    }
}
