package io.dbprovision.apiserver.controller;

import io.dbprovision.apiserver.storage.Lease;
import io.dbprovision.apiserver.storage.LeaseStore;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election through a lease row in the shared store, as client-go's {@code leaderelection} with a Lease lock:
 * every {@code retryPeriod} each replica tries to take or renew the lease with one conditional write
 * ({@link LeaseStore#tryAcquireOrRenew}); the one that holds it leads.
 *
 * <p>Safety rests on two clocks never being compared: the store decides expiry in the database's clock (a lease is
 * free {@code leaseDuration} after its last renewal was written), and the leader measures its own deadline in its own
 * monotonic clock, from <em>before</em> it sent its last successful renewal: it stops leading {@code renewDeadline}
 * after that, and no attempt or pause of this class waits past it. Since the renewal was written after it was sent,
 * the lease cannot be free to others before the leader has stopped leading; the difference, {@code leaseDuration −
 * renewDeadline}, is the time its controllers have to stop. A leader that loses its database keeps leading only until
 * that deadline; a closed one releases the lease so another replica takes over at once.
 */
final class LeaseLeaderElection implements LeaderElection {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseLeaderElection.class);
    /** How often an attempt in flight checks whether the election closed. */
    private static final long CHECK_CLOSED = TimeUnit.MILLISECONDS.toNanos(50);

    private final LeaseStore leases;
    private final String leaseName;
    private final String identity;
    private final Timing timing;
    private final ExecutorService callbacks;
    private final ExecutorService attempts = Executors.newVirtualThreadPerTaskExecutor();
    private final CountDownLatch closing = new CountDownLatch(1);

    private Leadership leadership;
    private Thread loop;
    private volatile boolean leading;
    private volatile boolean closed;
    /** System.nanoTime() when the last successful renewal was sent. */
    private volatile long renewedAt;

    private String observedHolder;
    private int failures;

    LeaseLeaderElection(LeaseStore leases, String leaseName, String identity, Timing timing) {
        this.leases = leases;
        this.leaseName = leaseName;
        this.identity = identity;
        this.timing = timing;
        this.callbacks = Executors.newSingleThreadExecutor(Thread.ofVirtual()
                .name("leader-election-" + leaseName + "-callbacks")
                .factory());
    }

    @Override
    public synchronized void start(Leadership leadership) {
        if (this.leadership != null) {
            throw new IllegalStateException("leader election started already");
        }
        this.leadership = leadership;
        loop = Thread.ofVirtual().name("leader-election-" + leaseName).start(this::run);
    }

    @Override
    public boolean isLeader() {
        return leading && System.nanoTime() - renewedAt < timing.renewDeadline().toNanos();
    }

    @Override
    public String identity() {
        return identity;
    }

    private void run() {
        while (!closed) {
            long attemptStart = System.nanoTime();
            Lease lease =
                    attempt(leading ? untilDeadline() : timing.renewDeadline().toNanos());
            if (closed) {
                return;
            }
            if (lease != null && lease.heldBy(identity)) {
                renewedAt = attemptStart;
                if (!leading) {
                    leading = true;
                    LOG.info("{} leads now (lease {}, {} transitions)", identity, leaseName, lease.transitions());
                    callbacks.execute(leadership::startedLeading);
                }
            } else if (leading && (lease != null || untilDeadline() <= 0)) {
                stopLeading(
                        lease != null
                                ? "lease " + leaseName + " is held by " + lease.holder() + " now"
                                : "lease " + leaseName + " not renewed within " + timing.renewDeadline());
            }
            if (lease != null && !lease.holder().equals(observedHolder)) {
                observedHolder = lease.holder();
                String holder = observedHolder;
                callbacks.execute(() -> leadership.newLeader(holder));
            }
            try {
                pause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * One try to take or renew the lease, abandoned after {@code timeoutNanos} or when the election closes; null when
     * it failed. An abandoned attempt is left to finish by itself: interrupting a JDBC call breaks its connection.
     */
    private Lease attempt(long timeoutNanos) {
        Future<Lease> attempt =
                attempts.submit(() -> leases.tryAcquireOrRenew(leaseName, identity, timing.leaseDuration()));
        long deadline = System.nanoTime() + Math.max(timeoutNanos, 1);
        while (true) {
            long remaining = deadline - System.nanoTime();
            try {
                Lease lease = attempt.get(Math.max(1, Math.min(remaining, CHECK_CLOSED)), TimeUnit.NANOSECONDS);
                if (failures > 0) {
                    LOG.info("{}: lease {} reachable again after {} failed attempts", identity, leaseName, failures);
                    failures = 0;
                }
                return lease;
            } catch (TimeoutException e) {
                if (closed) {
                    return null;
                }
                if (remaining <= CHECK_CLOSED) {
                    LOG.warn("{}: taking or renewing lease {} did not finish in time", identity, leaseName);
                    return null;
                }
            } catch (ExecutionException e) {
                LOG.warn(
                        "{}: taking or renewing lease {} failed: {}",
                        identity,
                        leaseName,
                        e.getCause().getMessage());
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** Logs the first of a run of failures as a warning, the others (one every retry period) for debugging only. */
    private void failed(String how) {
        failures++;
        if (failures == 1) {
            LOG.warn(
                    "{}: taking or renewing lease {} {}; retrying every {}",
                    identity,
                    leaseName,
                    how,
                    timing.retryPeriod());
        } else {
            LOG.debug("{}: taking or renewing lease {} {} ({} in a row)", identity, leaseName, how, failures);
        }
    }

    /** Waits for the next attempt: a retry period (a little more when following), never past a leader's deadline. */
    private void pause() throws InterruptedException {
        long nanos = timing.retryPeriod().toNanos();
        if (leading) {
            nanos = Math.min(nanos, Math.max(untilDeadline(), 0));
        } else {
            // Followers spread their attempts, as client-go's JitterUntil does.
            nanos += (long) (nanos * 0.2 * ThreadLocalRandom.current().nextDouble());
        }
        closing.await(nanos, TimeUnit.NANOSECONDS);
    }

    private long untilDeadline() {
        return renewedAt + timing.renewDeadline().toNanos() - System.nanoTime();
    }

    private void stopLeading(String reason) {
        leading = false;
        LOG.warn("{} stops leading: {}", identity, reason);
        callbacks.execute(leadership::stoppedLeading);
    }

    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = loop;
        }
        closing.countDown();
        if (running != null) {
            try {
                running.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (leading) {
            leading = false;
            LOG.info("{} stops leading: shutting down", identity);
            callbacks.execute(leadership::stoppedLeading);
        }
        callbacks.shutdown();
        try {
            // The controllers stop before the lease is given up: never two replicas reconciling.
            callbacks.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            // Even when not leading: a renewal abandoned as too late may still have been written.
            leases.release(leaseName, identity);
        } catch (RuntimeException e) {
            LOG.warn("{}: releasing lease {} failed ({}); it expires by itself", identity, leaseName, e.getMessage());
        }
        attempts.shutdown(); // an abandoned attempt finishes by itself
    }
}
