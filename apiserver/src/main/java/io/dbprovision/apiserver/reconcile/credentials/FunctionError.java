package io.dbprovision.apiserver.reconcile.credentials;

/**
 * A function or a limit refused to go on. The message is written here, never taken from an argument, so it is safe to
 * show; the evaluator adds the key and position.
 */
final class FunctionError extends RuntimeException {
    FunctionError(String message) {
        super(message, null, false, false);
    }
}
