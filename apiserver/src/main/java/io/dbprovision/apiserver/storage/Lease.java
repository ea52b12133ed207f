package io.dbprovision.apiserver.storage;

import java.time.Duration;
import java.time.Instant;

/**
 * A lease row as the store holds it, after an attempt to take or renew it: who holds it and until when, in the
 * database's clock, as Kubernetes' {@code coordination.k8s.io} Lease records it.
 *
 * @param holder the identity of the holder; empty when nobody holds it (released)
 * @param acquireTime when the current holder took it
 * @param renewTime when the current holder last renewed it
 * @param duration how long after {@code renewTime} the lease stays the holder's without a renewal
 * @param transitions how many times the lease changed hands
 */
public record Lease(
        String name, String holder, Instant acquireTime, Instant renewTime, Duration duration, long transitions) {

    public boolean heldBy(String identity) {
        return !holder.isEmpty() && holder.equals(identity);
    }
}
