package io.dbprovision.provisioner.server;

import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A bounded pool of platform threads for calls that gives a task to an idle thread before it starts a new one, and
 * past its bound lets tasks wait in order. A {@link ThreadPoolExecutor} with as many core threads as the bound (what
 * the provisioner had) starts a new thread for every task until the bound is reached, idle threads or not — a gRPC
 * call is two or three tasks — and then keeps all of them busy in turn, so none idles long enough to end: at a few
 * calls a second the process went on starting threads on the calls' time until it held the bound (256), each cold.
 * Here the pool holds about as many threads as calls ran at once; threads idle for a minute end.
 */
final class CallThreadPool {
    private CallThreadPool() {}

    static ThreadPoolExecutor create(int maximum, ThreadFactory threads) {
        HandOffQueue queue = new HandOffQueue();
        return new ThreadPoolExecutor(0, maximum, 60, TimeUnit.SECONDS, queue, threads, (task, pool) -> {
            if (pool.isShutdown()) {
                throw new RejectedExecutionException("the provisioner's call threads are shut down");
            }
            // Every thread is busy and there are as many as allowed: the task waits for the first one free.
            queue.waitInLine(task);
        });
    }

    /**
     * Accepts a task only when an idle thread is waiting for one (so the pool starts a thread otherwise, up to its
     * bound); {@link #waitInLine} queues past the bound.
     */
    private static final class HandOffQueue extends LinkedTransferQueue<Runnable> {
        @Override
        public boolean offer(Runnable task) {
            return tryTransfer(task);
        }

        void waitInLine(Runnable task) {
            super.put(task);
        }
    }
}
