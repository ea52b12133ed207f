package io.dbprovision.apiserver.auth.delegated;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * An executor whose tasks run only when the test says ({@link #runAll}), on the test's thread: a cache's background
 * refreshes become steps of the test, and a look-up that happens while the caller is inside the cache is one the
 * caller waited for.
 */
final class ManualExecutor implements Executor {
    private final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
        tasks.add(task);
    }

    synchronized int pending() {
        return tasks.size();
    }

    /** Runs the tasks queued so far; returns how many. */
    int runAll() {
        int ran = 0;
        while (true) {
            Runnable task;
            synchronized (this) {
                task = tasks.poll();
            }
            if (task == null) {
                return ran;
            }
            task.run();
            ran++;
        }
    }
}
