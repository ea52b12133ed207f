package io.dbprovision.apiserver.storage;

import java.time.Duration;
import java.util.Optional;

/**
 * Leases in the store that several replicas share, for leader election: one row per lease, taken and renewed with a
 * conditional write whose condition the database evaluates in its own clock, so the replicas' clocks never need to
 * agree. Only a shared backend (PostgreSQL) has them; a single-replica store needs no election. Failures are
 * {@link StorageException.Unavailable}.
 */
public interface LeaseStore {

    /**
     * Takes lease {@code name} for {@code holder} when nobody holds it, its holder let it expire ({@code renewTime +
     * duration} is past), or {@code holder} holds it already (a renewal); otherwise changes nothing.
     *
     * @return the lease as it is after the attempt: {@link Lease#heldBy} {@code holder} when the attempt succeeded
     */
    Lease tryAcquireOrRenew(String name, String holder, Duration duration);

    /** Gives the lease up if {@code holder} holds it, so that another replica takes it at once instead of waiting. */
    void release(String name, String holder);

    Optional<Lease> get(String name);
}
