package io.dbprovision.client.errors;

/** RESOURCE_EXHAUSTED: a message too large, or the server's limits on requests in flight. */
public final class ResourceExhaustedException extends DbProvisionException {
    private static final long serialVersionUID = 1L;

    ResourceExhaustedException(Details details, Throwable cause) {
        super(details, cause);
    }
}
