package io.dbprovision.apiserver.controller;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A keyed work queue, as client-go's {@code workqueue}: a key added while it waits is queued once; a key added while
 * a worker processes it is processed again once that worker is {@link #done} with it, never by two workers at once.
 * Failures are retried after a per-key exponential {@link Backoff} ({@link #addRateLimited}), which {@link #forget}
 * resets; {@link #addAfter} delays a key (the earliest of several delays wins); {@link #resyncEvery} adds every key
 * of a cache on an interval.
 *
 * <p>Keys belong to partitions (the database server an object lives on, say), each with a limit of keys in
 * processing at once: a partition at its limit keeps its keys waiting while workers take keys of the others, so
 * one slow or dead server holds at most {@code partitionLimit} workers and never stalls the rest. Partitions with
 * waiting keys take turns, so a partition with thousands of waiting keys does not delay a lone key of another.
 *
 * <p>The queue runs nothing itself: workers {@link #take} keys and call {@link #done}; {@link Controller} runs them.
 */
public final class WorkQueue<K> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);

    private final String name;
    private final Function<? super K, String> partitionOf;
    private final int partitionLimit;
    private final Backoff backoff;
    private final ScheduledExecutorService timers;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final Condition idle = lock.newCondition();
    /** Keys that must be processed (again): waiting, or in processing and added meanwhile. */
    private final Set<K> dirty = new HashSet<>();
    /** Keys a worker holds, with the partition they were taken from. */
    private final Map<K, String> processing = new HashMap<>();

    private final Map<String, ArrayDeque<K>> waiting = new HashMap<>();
    private final Map<String, Integer> active = new HashMap<>();
    /** Partitions with waiting keys and room under their limit, in turn order. */
    private final ArrayDeque<String> ready = new ArrayDeque<>();

    private final Set<String> readySet = new HashSet<>();
    private final Map<K, Delayed> delayed = new HashMap<>();
    private final Map<K, Integer> failures = new HashMap<>();
    private boolean shuttingDown;
    private boolean draining;

    private record Delayed(long dueNanos, ScheduledFuture<?> timer) {}

    /**
     * @param partitionOf the partition of a key; keys of one partition share {@code partitionLimit}. Called when a key
     *     is queued, outside the queue's lock (it may read an informer's cache)
     * @param partitionLimit keys of one partition in processing at once
     */
    public WorkQueue(String name, Function<? super K, String> partitionOf, int partitionLimit, Backoff backoff) {
        if (partitionLimit < 1) {
            throw new IllegalArgumentException("partitionLimit must be at least 1, not " + partitionLimit);
        }
        this.name = name;
        this.partitionOf = partitionOf;
        this.partitionLimit = partitionLimit;
        this.backoff = backoff;
        this.timers = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("workqueue-" + name).daemon().factory());
    }

    /** A queue whose keys are all of one partition without a limit of its own: only the workers limit it. */
    public static <K> WorkQueue<K> unpartitioned(String name, Backoff backoff) {
        return new WorkQueue<>(name, key -> "", Integer.MAX_VALUE, backoff);
    }

    public String name() {
        return name;
    }

    /** Queues {@code key} unless it waits already; ignored once the queue shuts down. */
    public void add(K key) {
        String partition = partitionOf.apply(key); // outside the lock: the function may read an informer
        lock.lock();
        try {
            if (shuttingDown || !dirty.add(key)) {
                return;
            }
            if (!processing.containsKey(key)) {
                enqueue(key, partition);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Queues {@code key} after {@code delay}; if it is delayed already, the earlier of the two times wins. */
    public void addAfter(K key, Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            add(key);
            return;
        }
        lock.lock();
        try {
            if (shuttingDown) {
                return;
            }
            long due = System.nanoTime() + delay.toNanos();
            Delayed earlier = delayed.get(key);
            if (earlier != null) {
                if (earlier.dueNanos() - due <= 0) {
                    return;
                }
                earlier.timer().cancel(false);
            }
            ScheduledFuture<?> timer = timers.schedule(() -> fire(key, due), delay.toNanos(), TimeUnit.NANOSECONDS);
            delayed.put(key, new Delayed(due, timer));
        } finally {
            lock.unlock();
        }
    }

    private void fire(K key, long due) {
        lock.lock();
        try {
            Delayed entry = delayed.get(key);
            if (entry == null || entry.dueNanos() != due) {
                return; // replaced by an earlier time
            }
            delayed.remove(key);
        } finally {
            lock.unlock();
        }
        add(key);
    }

    /** Queues {@code key} after its next backoff delay: one more failure for it. */
    public void addRateLimited(K key) {
        int count;
        lock.lock();
        try {
            count = failures.merge(key, 1, Integer::sum);
        } finally {
            lock.unlock();
        }
        addAfter(key, backoff.delay(count));
    }

    /** Forgets {@code key}'s failures: its next failure starts the backoff from the base again. */
    public void forget(K key) {
        lock.lock();
        try {
            failures.remove(key);
        } finally {
            lock.unlock();
        }
    }

    /** Consecutive failures of {@code key} since it was last forgotten. */
    public int failures(K key) {
        lock.lock();
        try {
            return failures.getOrDefault(key, 0);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds every key {@code keys} gives, every {@code interval} (each time shortened by up to a tenth, so that the
     * resyncs of several controllers drift apart), until the queue shuts down.
     */
    public void resyncEvery(Duration interval, Supplier<? extends Collection<? extends K>> keys) {
        long nanos = interval.toNanos();
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (isShuttingDown()) {
                return;
            }
            try {
                keys.get().forEach(this::add);
            } catch (RuntimeException e) {
                LOG.warn("work queue {}: resync failed: {}", name, e.toString());
            }
            schedule(next[0], nanos);
        };
        schedule(next[0], nanos);
    }

    private void schedule(Runnable task, long nanos) {
        lock.lock();
        try {
            if (!shuttingDown) {
                long jittered =
                        (long) (nanos * (1 - 0.1 * ThreadLocalRandom.current().nextDouble()));
                timers.schedule(task, jittered, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next key a worker may process, waiting for one; null once the queue has shut down (after a drain,
     * once nothing waits any more). The caller must call {@link #done} with it.
     */
    public K take() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                K key = next();
                if (key != null) {
                    return key;
                }
                if (finished()) {
                    return null;
                }
                available.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** As {@link #take}, waiting at most {@code timeout}: null when nothing came. */
    public K poll(Duration timeout) throws InterruptedException {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                K key = next();
                if (key != null || finished() || remaining <= 0) {
                    return key;
                }
                remaining = available.awaitNanos(remaining);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether workers are to stop: shut down, and when draining also nothing left that a worker still processing
     * could add back.
     */
    private boolean finished() {
        return shuttingDown && (!draining || (waiting.isEmpty() && processing.isEmpty()));
    }

    private K next() {
        if (shuttingDown && !draining) {
            return null;
        }
        String partition = ready.pollFirst();
        if (partition == null) {
            return null;
        }
        readySet.remove(partition);
        ArrayDeque<K> keys = waiting.get(partition);
        K key = keys.pollFirst();
        if (keys.isEmpty()) {
            waiting.remove(partition);
        }
        dirty.remove(key);
        processing.put(key, partition);
        int running = active.merge(partition, 1, Integer::sum);
        if (waiting.containsKey(partition) && running < partitionLimit) {
            markReady(partition); // at the back: the other partitions take their turn first
        }
        return key;
    }

    /** Ends the processing of {@code key}; if it was added meanwhile, it waits again. */
    public void done(K key) {
        String requeueTo = partitionOf.apply(key); // where it goes if it was added meanwhile, outside the lock
        lock.lock();
        try {
            String partition = processing.remove(key);
            if (partition == null) {
                return;
            }
            if (active.merge(partition, -1, Integer::sum) <= 0) {
                active.remove(partition);
            }
            if (dirty.contains(key)) {
                if (shuttingDown && !draining) {
                    dirty.remove(key);
                } else {
                    enqueue(key, requeueTo);
                }
            }
            if (waiting.containsKey(partition) && !readySet.contains(partition)) {
                markReady(partition);
                available.signal();
            }
            if (processing.isEmpty()) {
                idle.signalAll();
                if (shuttingDown) {
                    available.signalAll(); // workers waiting in a drain see the end
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void enqueue(K key, String partition) {
        waiting.computeIfAbsent(partition, p -> new ArrayDeque<>()).addLast(key);
        if (!readySet.contains(partition) && active.getOrDefault(partition, 0) < partitionLimit) {
            markReady(partition);
        }
        available.signal();
    }

    private void markReady(String partition) {
        ready.addLast(partition);
        readySet.add(partition);
    }

    /** Keys waiting to be taken (not those delayed or in processing). */
    public int length() {
        lock.lock();
        try {
            return waiting.values().stream().mapToInt(ArrayDeque::size).sum();
        } finally {
            lock.unlock();
        }
    }

    /** Keys in processing now. */
    public int inProcessing() {
        lock.lock();
        try {
            return processing.size();
        } finally {
            lock.unlock();
        }
    }

    public boolean isShuttingDown() {
        lock.lock();
        try {
            return shuttingDown;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Shuts down: adds are ignored from now on, waiting and delayed keys are dropped, {@link #take} answers null.
     * Returns once every key in processing is {@link #done}, or after {@code grace}; false if some are still.
     * What a controller does when its replica stops leading: another replica takes over and resyncs everything.
     */
    public boolean shutDown(Duration grace) throws InterruptedException {
        return stop(false, grace);
    }

    /**
     * Shuts down after draining: adds are ignored from now on (delayed keys are dropped), but workers still take the
     * keys that wait until none are left. Returns once they are all done, or after {@code grace}.
     */
    public boolean shutDownWithDrain(Duration grace) throws InterruptedException {
        return stop(true, grace);
    }

    private boolean stop(boolean drain, Duration grace) throws InterruptedException {
        lock.lock();
        try {
            if (!shuttingDown) {
                shuttingDown = true;
                draining = drain;
                delayed.values().forEach(entry -> entry.timer().cancel(false));
                delayed.clear();
                if (!drain) {
                    waiting.values().forEach(keys -> keys.forEach(dirty::remove));
                    waiting.clear();
                    ready.clear();
                    readySet.clear();
                }
                timers.shutdownNow();
            }
            available.signalAll();
            long remaining = grace.toNanos();
            while (!processing.isEmpty() || (draining && !waiting.isEmpty())) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = idle.awaitNanos(remaining);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Shuts down without waiting for the keys in processing. */
    @Override
    public void close() {
        try {
            shutDown(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
