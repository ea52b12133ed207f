package io.dbprovision.client.errors;

/** Any other status (INTERNAL, UNKNOWN, UNIMPLEMENTED, DATA_LOSS): a fault on the server's side, or a server that does not serve this API. */
public final class ServerErrorException extends DbProvisionException {
    private static final long serialVersionUID = 1L;

    ServerErrorException(Details details, Throwable cause) {
        super(details, cause);
    }
}
