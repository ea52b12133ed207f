package io.dbprovision.apiserver.controller;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: after the n-th consecutive failure (n from 1) the delay is {@code base · 2^(n−1)},
 * at most {@code max}, then shortened by a random fraction up to {@code jitter}. The jitter spreads the retries of
 * objects that failed together (every database of a server that went down) so they do not come back as one wave;
 * shortening rather than lengthening keeps {@code max} a true bound.
 *
 * @param jitter between 0 (none) and 1
 */
public record Backoff(Duration base, Duration max, double jitter, DoubleSupplier random) {
    /** For reconciles: 5 ms doubling to 5 minutes, as client-go's default controller rate limiter, ±20 %. */
    public static final Backoff RECONCILE = of(Duration.ofMillis(5), Duration.ofMinutes(5), 0.2);

    public Backoff {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= max, not " + base + " and " + max);
        }
        if (jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("jitter must be between 0 and 1, not " + jitter);
        }
    }

    public static Backoff of(Duration base, Duration max, double jitter) {
        return new Backoff(base, max, jitter, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The delay after {@code failures} consecutive failures (1 for the first). */
    public Duration delay(int failures) {
        long baseNanos = base.toNanos();
        long maxNanos = max.toNanos();
        int doublings = Math.max(0, failures - 1);
        long nanos = doublings >= 62 || baseNanos > maxNanos >> doublings ? maxNanos : baseNanos << doublings;
        nanos = Math.min(nanos, maxNanos);
        return Duration.ofNanos((long) (nanos * (1 - jitter * random.getAsDouble())));
    }
}
