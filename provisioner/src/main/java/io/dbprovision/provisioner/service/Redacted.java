package io.dbprovision.provisioner.service;

/**
 * A copy of an exception chain fit for a log: the same classes' names, stack traces and nesting, with every message
 * scrubbed of the request's secrets. What an operator needs to find a bug, without what must never be logged.
 */
final class Redacted extends RuntimeException {
    private Redacted(String message, Throwable cause, StackTraceElement[] stackTrace) {
        super(message, cause, false, true);
        setStackTrace(stackTrace);
    }

    static Throwable copy(Throwable failure, RequestSecrets secrets) {
        return copy(failure, secrets, 0);
    }

    private static Throwable copy(Throwable failure, RequestSecrets secrets, int depth) {
        if (failure == null || depth > 16) {
            return null;
        }
        Throwable cause = failure.getCause() == failure ? null : copy(failure.getCause(), secrets, depth + 1);
        String message = failure.getMessage() == null ? "" : ": " + secrets.scrub(failure.getMessage());
        return new Redacted(failure.getClass().getName() + message, cause, failure.getStackTrace());
    }

    @Override
    public String toString() {
        // The original class's name is already the message's start.
        return getMessage();
    }
}
