package io.dbprovision.apiserver.reconcile;

/**
 * A reconcile cannot go on until something else is ready — the instance, the user a grant is for — or exists. Not
 * a failure: the object becomes Pending with a Ready=False condition whose reason ({@code InstanceNotReady},
 * {@code UserNotFound}, ...) says what it waits for, and the controller looks again when that changes (it watches
 * it), or after {@link ObjectReconciler#WAITING_RECHECK} at the latest.
 */
public final class Waiting extends RuntimeException {
    private final String reason;

    public Waiting(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
