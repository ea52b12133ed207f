package io.dbprovision.apiserver.controller;

import io.dbprovision.proto.v1alpha1.Database;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * Records what an informer tells, as {@code ADDED a/x}, {@code UPDATED a/x}, {@code DELETED a/x}; can hold the watch
 * thread on the add of one name (a stuck handler) until released.
 */
final class RecordingHandler implements EventHandler<Database> {
    final List<String> events = new CopyOnWriteArrayList<>();
    private volatile String holdOn;
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    /** The next add of {@code name} blocks the informer until {@link #release()}. */
    void holdOnAddOf(String name) {
        holdOn = name;
    }

    void awaitHeld() throws InterruptedException {
        held.await();
    }

    void release() {
        release.countDown();
    }

    @Override
    public void onAdd(Database object) {
        events.add("ADDED " + NamespacedName.of(object));
        if (object.getMetadata().getName().equals(holdOn)) {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void onUpdate(Database oldObject, Database newObject) {
        events.add("UPDATED " + NamespacedName.of(newObject));
    }

    @Override
    public void onDelete(Database lastKnown) {
        events.add("DELETED " + NamespacedName.of(lastKnown));
    }

    long count(String event) {
        return events.stream().filter(event::equals).count();
    }
}
