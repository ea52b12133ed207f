package io.dbprovision.apiserver.reconcile;

/**
 * A reconcile failed in a way the object's status should show: its reason becomes the Ready condition's reason and
 * its message (never a secret) the status message. {@link #transientFailure} failures (a server down, a deadline)
 * are retried with backoff; permanent ones (the spec asks for something the engine refuses) are looked at again
 * only when the object changes or after {@link ObjectReconciler#PERMANENT_RECHECK}.
 */
public final class ReconcileFailure extends RuntimeException {
    private final String reason;
    private final boolean transientFailure;

    public ReconcileFailure(String reason, String message, boolean transientFailure, Throwable cause) {
        super(message, cause, false, false);
        this.reason = reason;
        this.transientFailure = transientFailure;
    }

    /**
     * The server is fine but every connection to it is in use by other calls (reason {@code ServerBusy}): retried
     * with backoff like any transient failure, but no Warning and no Failed phase — nothing is wrong.
     */
    public static ReconcileFailure busy(String message, Throwable cause) {
        return new ReconcileFailure(EngineCalls.REASON_SERVER_BUSY, message, true, cause);
    }

    /** Whether this is {@link #busy}: waiting for a connection, not a failure to show as one. */
    public boolean busy() {
        return EngineCalls.REASON_SERVER_BUSY.equals(reason);
    }

    public String reason() {
        return reason;
    }

    public boolean transientFailure() {
        return transientFailure;
    }
}
