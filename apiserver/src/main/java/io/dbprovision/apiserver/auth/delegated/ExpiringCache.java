package io.dbprovision.apiserver.auth.delegated;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A bounded cache of answers from the kube-apiserver, each kept for a time chosen by its value (an allowed review may
 * be kept longer than a denied one; a failure not at all). Concurrent callers asking for the same key while it is
 * being looked up wait for that one look-up instead of each sending their own: a burst of requests from one user
 * costs one TokenReview or SubjectAccessReview, as k8s.io/apiserver's caches do.
 *
 * <p><b>Refresh ahead.</b> k8s.io/apiserver's webhook cache lets an entry expire and the next request look it up
 * again, so every request of a busy key (one user creating in one namespace) waits for a review round trip once per
 * TTL — with the aggregated server's 10 s allowed-TTL, a stall of every writer every 10 s. Here an entry that is
 * used in the last fifth of its TTL is looked up again once, in the background, while the cached answer keeps being
 * served; the fresh answer replaces it when it comes. What is never given up: an answer is never served after its
 * TTL, counted from when it was asked for (a refresh that has not come back by then does not extend it: the entry
 * expires and the next caller looks it up and waits, as without refresh); a refresh that fails leaves the entry to
 * expire as it would have (no stale answer is served instead of a failure); at most one refresh per entry is in
 * flight; refreshes run on a bounded executor, and when it is busy the entry just expires. A refresh can only bring
 * a change — a revoked permission — sooner than without it, never later. Keys not used near their expiry are not
 * refreshed: idle entries cost no reviews; and a key idle for longer than its TTL is looked up (and waited for) by its
 * next caller, as before — refresh ahead removes the waits of steady traffic, not those after a pause.
 *
 * <p>When full, expired entries are dropped first, then arbitrary ones: a cache miss only costs a review.
 */
final class ExpiringCache<K, V> {
    /** An entry is refreshed when used after this fraction of its TTL (the last fifth: 2 s of a 10 s TTL). */
    private static final double REFRESH_AFTER = 0.8;

    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final Function<V, Duration> ttl;
    private final LongSupplier nanoTime;
    private final Executor refresher;

    private static final class Entry<V> {
        final CompletableFuture<V> value = new CompletableFuture<>();
        volatile long expiresAt;
        volatile long refreshAt;
        /** Set by the one caller that starts this entry's refresh; never reset after a refresh ran. */
        final AtomicBoolean refreshing = new AtomicBoolean();

        /** Done and, at {@code now}, not expired. */
        boolean fresh(long now) {
            return value.isDone() && now - expiresAt < 0;
        }
    }

    /** @param refresher runs refresh-ahead look-ups; null turns refresh ahead off (entries just expire) */
    ExpiringCache(int maxEntries, Function<V, Duration> ttl, LongSupplier nanoTime, Executor refresher) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("a cache holds at least one entry");
        }
        this.maxEntries = maxEntries;
        this.ttl = ttl;
        this.nanoTime = nanoTime;
        this.refresher = refresher;
    }

    /**
     * The cached value of {@code key}, else {@code load}'s, which must not throw (failures are values too). A value
     * served near its expiry may be refreshed with {@code load} in the background.
     */
    V get(K key, Function<K, V> load) {
        while (true) {
            Entry<V> current = entries.get(key);
            if (current != null) {
                if (!current.value.isDone()) {
                    return current.value.join(); // the first look-up of this key is under way: wait for it
                }
                long now = nanoTime.getAsLong();
                if (now - current.expiresAt < 0) {
                    if (refresher != null && now - current.refreshAt >= 0) {
                        refreshAhead(key, current, load);
                    }
                    return current.value.join();
                }
            }
            Entry<V> mine = new Entry<>();
            boolean won =
                    current == null ? entries.putIfAbsent(key, mine) == null : entries.replace(key, current, mine);
            if (!won) {
                continue; // someone else started a look-up meanwhile: wait for theirs
            }
            long asked = nanoTime.getAsLong();
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
                setLifetime(mine, asked, keep);
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

    /** Starts one background look-up of {@code key} unless one was started for this entry already. */
    private void refreshAhead(K key, Entry<V> current, Function<K, V> load) {
        if (!current.refreshing.compareAndSet(false, true)) {
            return;
        }
        try {
            refresher.execute(() -> refresh(key, current, load));
        } catch (RejectedExecutionException e) {
            // the executor is busy: let a later use try again; at worst the entry expires as without refresh
            current.refreshing.set(false);
        }
    }

    private void refresh(K key, Entry<V> current, Function<K, V> load) {
        long asked = nanoTime.getAsLong();
        V value;
        try {
            value = load.apply(key);
        } catch (RuntimeException e) {
            return; // the entry expires as it would have
        }
        Duration keep = ttl.apply(value);
        if (keep.isZero() || keep.isNegative()) {
            return; // a failure is not cached: the entry expires at its time, and is then looked up by a caller
        }
        Entry<V> fresh = new Entry<>();
        setLifetime(fresh, asked, keep);
        fresh.value.complete(value);
        if (!fresh.fresh(nanoTime.getAsLong())) {
            return; // the answer took longer than its own TTL: too old to serve
        }
        // only over the entry it refreshes: an entry replaced meanwhile (expired and looked up again) is newer
        entries.replace(key, current, fresh);
    }

    /** Expiry counted from when the value was asked for: no answer is ever served longer than its TTL after that. */
    private static <V> void setLifetime(Entry<V> entry, long asked, Duration keep) {
        long nanos = keep.toNanos();
        entry.refreshAt = asked + (long) (nanos * REFRESH_AFTER);
        entry.expiresAt = asked + nanos;
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
