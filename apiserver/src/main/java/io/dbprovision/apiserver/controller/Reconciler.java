package io.dbprovision.apiserver.controller;

/**
 * Makes the world match one object: reads the object (from an {@link Informer}; absent when deleted) and does what
 * it asks, idempotently — it may run again for the same version at any time (a resync, a restart, a new leader).
 * Never two reconciles of one key at once. Throwing retries the key after its backoff; returning
 * {@link Result#done()} resets the backoff.
 */
@FunctionalInterface
public interface Reconciler {
    Result reconcile(NamespacedName key) throws Exception;
}
