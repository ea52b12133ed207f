package io.dbprovision.client.errors;

/** PERMISSION_DENIED: the caller is known but may not do this; the message names the missing permission. */
public final class PermissionDeniedException extends DbProvisionException {
    private static final long serialVersionUID = 1L;

    PermissionDeniedException(Details details, Throwable cause) {
        super(details, cause);
    }
}
