package io.dbprovision.apiserver.reconcile;

/**
 * A reconcile cannot go on until something else is ready — the instance, the user a grant is for — or exists. Not
 * a failure: the object becomes Pending with a Ready=False condition whose reason ({@code InstanceNotReady},
 * {@code UserNotFound}, ...) says what it waits for, and the controller looks again when that changes (it watches
 * it), or after {@link ObjectReconciler#WAITING_RECHECK} at the latest — sooner for what nothing watches
 * ({@link #forUnwatched}).
 */
public final class Waiting extends RuntimeException {
    /**
     * How soon an object looks again for something no controller watches (a ConfigMap or Secret its init SQL names):
     * applied in one `kubectl apply` with the object, it usually appears within seconds, and one read per look is
     * cheap.
     */
    public static final java.time.Duration UNWATCHED_RECHECK = java.time.Duration.ofSeconds(5);

    private final String reason;
    private final java.time.Duration recheck;

    public Waiting(String reason, String message) {
        this(reason, message, null);
    }

    /** @param recheck when to look again at the latest; null for {@link ObjectReconciler#WAITING_RECHECK} */
    public Waiting(String reason, String message, java.time.Duration recheck) {
        super(message, null, false, false);
        this.reason = reason;
        this.recheck = recheck;
    }

    /** A wait for something no controller watches: looked for again after {@link #UNWATCHED_RECHECK}. */
    public static Waiting forUnwatched(String reason, String message) {
        return new Waiting(reason, message, UNWATCHED_RECHECK);
    }

    public String reason() {
        return reason;
    }

    /** When to look again at the latest. */
    java.time.Duration recheck() {
        return recheck == null ? ObjectReconciler.WAITING_RECHECK : recheck;
    }
}
