package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Message;
import java.time.Duration;
import java.util.Optional;

/**
 * What one kind's reconciler knows; {@link ObjectReconciler} does the rest (reading the object, skip annotations,
 * the finalizer, the status write, events, failures and requeues), the same for every kind.
 */
public interface KindLogic {
    /** The finalizer that holds a deleted object until {@link #finish} says its engine side is dealt with. */
    String finalizer();

    /**
     * Brings the engine to the object's spec (or, when nothing changed since the last look, checks it for drift),
     * recording the outcome on {@code status}. Throws {@link Waiting} while something it needs is not ready and
     * {@link ReconcileFailure} when it fails; returns when to look again (empty: at the next resync or change).
     */
    Optional<Duration> sync(Message object, StatusDraft status);

    /**
     * The object is being deleted: applies its deletion policy on the engine. True when the finalizer may go; false
     * to keep waiting (for dependants to go, say), with {@code status} saying why.
     */
    boolean finish(Message object, StatusDraft status);
}
