package io.dbprovision.apiserver.corev1;

import io.dbprovision.apiserver.controller.NamespacedName;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * Records the names a {@link Secrets#watch} tells, with the thread each came on; can hold the watch's thread on one
 * name (a consumer that is stuck) until released.
 */
final class RecordingChanges implements Consumer<NamespacedName> {
    final List<String> names = new CopyOnWriteArrayList<>();
    final Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile String holdOn;
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void accept(NamespacedName name) {
        threads.add(Thread.currentThread());
        names.add(name.toString());
        if (name.name().equals(holdOn)) {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The next time {@code name} is told, the watch's thread waits until {@link #release()}. */
    void holdOn(String name) {
        holdOn = name;
    }

    void awaitHeld() throws InterruptedException {
        held.await();
    }

    void release() {
        holdOn = null;
        release.countDown();
    }

    boolean saw(String name) {
        return names.contains(name);
    }

    long count(String name) {
        return names.stream().filter(name::equals).count();
    }
}
