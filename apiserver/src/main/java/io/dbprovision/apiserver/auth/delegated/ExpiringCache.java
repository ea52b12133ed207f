package io.dbprovision.apiserver.auth.delegated;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A bounded cache of answers from the kube-apiserver, each kept for a time chosen by its value (an allowed review may
 * be kept longer than a denied one; a failure not at all). Concurrent callers asking for the same key while it is
 * being looked up wait for that one look-up instead of each sending their own: a burst of requests from one user
 * costs one TokenReview or SubjectAccessReview, as k8s.io/apiserver's caches do.
 *
 * <p>When full, expired entries are dropped first, then arbitrary ones: a cache miss only costs a review.
 */
final class ExpiringCache<K, V> {
    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final Function<V, Duration> ttl;
    private final LongSupplier nanoTime;

    private static final class Entry<V> {
        final CompletableFuture<V> value = new CompletableFuture<>();
        volatile long expiresAt;
    }

    ExpiringCache(int maxEntries, Function<V, Duration> ttl, LongSupplier nanoTime) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("a cache holds at least one entry");
        }
        this.maxEntries = maxEntries;
        this.ttl = ttl;
        this.nanoTime = nanoTime;
    }

    /** The cached value of {@code key}, else {@code load}'s, which must not throw (failures are values too). */
    V get(K key, Function<K, V> load) {
        while (true) {
            Entry<V> current = entries.get(key);
            if (current != null && (!current.value.isDone() || nanoTime.getAsLong() - current.expiresAt < 0)) {
                return current.value.join();
            }
            Entry<V> mine = new Entry<>();
            boolean won =
                    current == null ? entries.putIfAbsent(key, mine) == null : entries.replace(key, current, mine);
            if (!won) {
                continue; // someone else started a look-up meanwhile: wait for theirs
            }
            V value;
            try {
                value = load.apply(key);
            } catch (RuntimeException | Error e) {
                entries.remove(key, mine);
                mine.value.completeExceptionally(e);
                throw e;
            }
            Duration keep = ttl.apply(value);
            if (keep.isZero() || keep.isNegative()) {
                entries.remove(key, mine);
            } else {
                mine.expiresAt = nanoTime.getAsLong() + keep.toNanos();
            }
            mine.value.complete(value);
            if (entries.size() > maxEntries) {
                shrink();
            }
            return value;
        }
    }

    int size() {
        return entries.size();
    }

    private void shrink() {
        long now = nanoTime.getAsLong();
        entries.entrySet().removeIf(e -> e.getValue().value.isDone() && now - e.getValue().expiresAt >= 0);
        Iterator<Map.Entry<K, Entry<V>>> it = entries.entrySet().iterator();
        // leave room for a tenth more so that a full cache does not shrink on every miss
        int target = maxEntries - Math.max(1, maxEntries / 10);
        while (entries.size() > target && it.hasNext()) {
            Map.Entry<K, Entry<V>> entry = it.next();
            if (entry.getValue().value.isDone()) {
                it.remove();
            }
        }
    }
}
