package io.dbprovision.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How calls that change nothing (every Get, List and the start of every Watch, and GetConnection) are retried when
 * the server is UNAVAILABLE, as a gRPC service config retry policy: at most {@code maxAttempts} attempts (1: no
 * retries), waiting a random time up to {@code initialBackoff}, growing by {@code multiplier} up to {@code
 * maxBackoff}, between them. Writes and RequestDatabase are never retried: the client cannot know whether the server
 * acted before the connection broke.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoffs must be positive and maxBackoff at least initialBackoff");
        }
        if (!(multiplier >= 1)) {
            throw new IllegalArgumentException("multiplier must be at least 1");
        }
    }

    /** Five attempts, 0.2 s growing to 5 s. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(5), 2.0);
    }

    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ofMillis(200), Duration.ofMillis(200), 1.0);
    }

    /** The service config for these methods ("service/method" full names). */
    Map<String, Object> serviceConfig(List<String> fullMethodNames) {
        List<Object> names = new ArrayList<>();
        for (String full : fullMethodNames) {
            int slash = full.indexOf('/');
            names.add(Map.of("service", full.substring(0, slash), "method", full.substring(slash + 1)));
        }
        Map<String, Object> methodConfig = Map.of(
                "name",
                names,
                "retryPolicy",
                Map.of(
                        // Numbers in a service config map are doubles, as parsed from JSON.
                        "maxAttempts", (double) Math.max(2, maxAttempts),
                        "initialBackoff", seconds(initialBackoff),
                        "maxBackoff", seconds(maxBackoff),
                        "backoffMultiplier", multiplier,
                        "retryableStatusCodes", List.of("UNAVAILABLE")));
        return Map.of("methodConfig", List.of(methodConfig));
    }

    private static String seconds(Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.9fs", duration.toNanos() / 1e9);
    }
}
