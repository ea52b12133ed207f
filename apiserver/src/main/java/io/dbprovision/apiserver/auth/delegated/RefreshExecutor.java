package io.dbprovision.apiserver.auth.delegated;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that refresh a cache's entries ahead of their expiry ({@link ExpiringCache}): few, with a short queue,
 * since a refresh that cannot be queued costs nothing but the wait the entry would have cost without refresh ahead.
 * The threads are daemons and end when idle, so a cache needs no closing.
 */
final class RefreshExecutor {
    /** Reviews are round trips of about a millisecond: two threads refresh thousands of entries a second. */
    private static final int THREADS = 2;
    /** Entries waiting for a refresh; more are left to expire. */
    private static final int QUEUE = 256;

    private static final Duration IDLE = Duration.ofSeconds(30);

    private RefreshExecutor() {}

    static ExecutorService bounded(String name) {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory threads = task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        ThreadPoolExecutor executor = new ThreadPoolExecutor(
                THREADS,
                THREADS,
                IDLE.toMillis(),
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE),
                threads,
                new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
