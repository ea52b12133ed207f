package io.dbprovision.client.cli;

/** An object the command waited for reached phase Failed (exit code 6). */
final class ObjectFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ObjectFailedException(String message) {
        super(message);
    }
}
