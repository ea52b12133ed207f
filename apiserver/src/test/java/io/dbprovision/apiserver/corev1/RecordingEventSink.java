package io.dbprovision.apiserver.corev1;

import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.proto.k8s.core.v1.Event;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An {@link EventSink} that keeps Events in memory as a store would (AlreadyExists, NotFound, a resourceVersion per
 * write) and records its calls ({@code create ns/name}, {@code update ns/name}); it can fail every call, refuse the next
 * create as taken, or hold the writer in its next call until released.
 */
final class RecordingEventSink implements EventSink {
    final Map<String, Event> stored = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final AtomicInteger versions = new AtomicInteger();
    private volatile boolean nextCreateTaken;
    private volatile CountDownLatch entered;
    private volatile CountDownLatch release;

    @Override
    public Event create(Event event) {
        String key = key(event);
        calls.add("create " + key);
        enter();
        if (nextCreateTaken) {
            nextCreateTaken = false;
            throw new ApiException.AlreadyExists(
                    new ApiException.Subject("", "events", event.getMetadata().getName()));
        }
        Event written = withVersion(event);
        if (stored.putIfAbsent(key, written) != null) {
            throw new ApiException.AlreadyExists(
                    new ApiException.Subject("", "events", event.getMetadata().getName()));
        }
        return written;
    }

    @Override
    public Event update(Event event) {
        String key = key(event);
        calls.add("update " + key);
        enter();
        Event current = stored.get(key);
        if (current == null) {
            throw new ApiException.NotFound(
                    new ApiException.Subject("", "events", event.getMetadata().getName()));
        }
        Event written = withVersion(current.toBuilder()
                .setCount(event.getCount())
                .setLastTimestamp(event.getLastTimestamp())
                .setMessage(event.getMessage())
                .build());
        stored.put(key, written);
        return written;
    }

    private void enter() {
        CountDownLatch held = release;
        if (held != null) {
            entered.countDown();
            try {
                held.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException.Unavailable("interrupted", e);
            }
        }
        RuntimeException failing = failure.get();
        if (failing != null) {
            throw failing;
        }
    }

    /** The next call (and every one after it, until {@link #release()}) waits. */
    void hold() {
        entered = new CountDownLatch(1);
        release = new CountDownLatch(1);
    }

    void awaitEntered() throws InterruptedException {
        entered.await();
    }

    void release() {
        CountDownLatch held = release;
        release = null;
        if (held != null) {
            held.countDown();
        }
    }

    void refuseNextCreateAsTaken() {
        nextCreateTaken = true;
    }

    private Event withVersion(Event event) {
        return event.toBuilder()
                .setMetadata(event.getMetadata().toBuilder()
                        .setResourceVersion(Integer.toString(versions.incrementAndGet()))
                        .setUid(
                                event.getMetadata().getUid().isEmpty()
                                        ? "uid-" + event.getMetadata().getName()
                                        : event.getMetadata().getUid()))
                .build();
    }

    private static String key(Event event) {
        return event.getMetadata().getNamespace() + "/" + event.getMetadata().getName();
    }

    List<Event> events() {
        return List.copyOf(stored.values());
    }
}
