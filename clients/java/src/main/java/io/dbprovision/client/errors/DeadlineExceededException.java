package io.dbprovision.client.errors;

/** DEADLINE_EXCEEDED: the call's deadline passed. For RequestDatabase the objects stay and go on converging. */
public final class DeadlineExceededException extends DbProvisionException {
    private static final long serialVersionUID = 1L;

    DeadlineExceededException(Details details, Throwable cause) {
        super(details, cause);
    }
}
