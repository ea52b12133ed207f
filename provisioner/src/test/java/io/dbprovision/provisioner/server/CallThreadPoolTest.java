package io.dbprovision.provisioner.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallThreadPoolTest {
    @Test
    void anIdleThreadTakesTheNextTaskInsteadOfANewThreadStarting() throws Exception {
        ThreadPoolExecutor pool = CallThreadPool.create(256, Thread.ofPlatform().factory());
        try {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 50; i++) {
                pool.submit(() -> threads.add(Thread.currentThread().getName())).get(5, TimeUnit.SECONDS);
                // The thread that ran the task is back waiting before the next one comes.
                awaitIdle(pool);
            }
            assertThat(threads).hasSize(1);
            assertThat(pool.getLargestPoolSize()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void pastItsBoundTasksWaitInLineAndAllRun() throws Exception {
        ThreadPoolExecutor pool = CallThreadPool.create(2, Thread.ofPlatform().factory());
        try {
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger ran = new AtomicInteger();
            Future<?>[] tasks = new Future<?>[6];
            for (int i = 0; i < tasks.length; i++) {
                tasks[i] = pool.submit(() -> {
                    release.await();
                    return ran.incrementAndGet();
                });
            }
            assertThat(pool.getPoolSize()).isEqualTo(2);
            assertThat(pool.getQueue()).hasSize(4);
            release.countDown();
            for (Future<?> task : tasks) {
                task.get(5, TimeUnit.SECONDS);
            }
            assertThat(ran).hasValue(6);
            assertThat(pool.getLargestPoolSize()).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesTasksOnceShutDown() {
        ThreadPoolExecutor pool = CallThreadPool.create(2, Thread.ofPlatform().factory());
        pool.shutdown();
        assertThatThrownBy(() -> pool.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
    }

    /** Until a thread of the pool waits for a task (it is back in the queue's poll). */
    private static void awaitIdle(ThreadPoolExecutor pool) throws InterruptedException {
        LinkedTransferQueue<Runnable> queue = (LinkedTransferQueue<Runnable>) pool.getQueue();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!queue.hasWaitingConsumer() && System.nanoTime() < until) {
            Thread.sleep(1);
        }
    }
}
