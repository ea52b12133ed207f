package io.dbprovision.apiserver.controller;

import io.dbprovision.apiserver.storage.CachingStorage;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.UUID;

/**
 * Decides which replica runs the controllers. With a store several replicas share (PostgreSQL), a lease row in it
 * ({@link LeaseLeaderElection}); with the embedded store, which one process has to itself, that process
 * ({@link #always}).
 */
public interface LeaderElection extends AutoCloseable {

    /** Starts campaigning; {@code leadership} hears of every change. Once only. */
    void start(Leadership leadership);

    boolean isLeader();

    /** This replica's identity, as the lease records its holder. */
    String identity();

    /** Stops: if leading, stops leading first ({@link Leadership#stoppedLeading} has returned), then gives the lease up. */
    @Override
    void close();

    /**
     * How long a lease lasts without renewal, how long a leader keeps trying to renew before it stops leading, and
     * how often it tries; as client-go's defaults, 15, 10 and 2 seconds. A leader stops leading {@code renewDeadline}
     * after its last successful renewal began, {@code leaseDuration − renewDeadline} before anyone else may take the
     * lease: the margin for its controllers to stop.
     */
    record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        public static final Timing DEFAULT =
                new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));

        public Timing {
            if (renewDeadline.compareTo(leaseDuration) >= 0 || retryPeriod.compareTo(renewDeadline) >= 0) {
                throw new IllegalArgumentException(
                        "leader election needs retryPeriod < renewDeadline < leaseDuration, not " + retryPeriod + ", "
                                + renewDeadline + ", " + leaseDuration);
            }
        }
    }

    /** The replica that always leads: the embedded store's only one. */
    static LeaderElection always(String identity) {
        return new AlwaysLeader(identity);
    }

    /**
     * A lease named {@code leaseName} in {@code storage} when it is shared (PostgreSQL), else {@link #always}.
     *
     * @param identity unique among the replicas: {@link #defaultIdentity()}
     */
    static LeaderElection forStorage(CachingStorage storage, String leaseName, String identity, Timing timing) {
        return storage.leases()
                .<LeaderElection>map(leases -> new LeaseLeaderElection(leases, leaseName, identity, timing))
                .orElseGet(() -> always(identity));
    }

    /** The host's name and a random suffix, unique even for replicas on one host (client-go's choice). */
    static String defaultIdentity() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "_" + UUID.randomUUID();
    }
}
