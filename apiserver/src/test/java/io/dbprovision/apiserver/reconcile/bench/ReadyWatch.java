package io.dbprovision.apiserver.reconcile.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one watch of a kind (all namespaces) saw: when each object was first Ready for its current generation
 * (Ready=True and {@code observedGeneration == generation}, as {@code kubectl wait --for=condition=Ready} checks),
 * and how many times each object was written after its creation (every MODIFIED event is one write: finalizers,
 * status). Times are {@link System#nanoTime()} at the event's arrival.
 */
final class ReadyWatch implements AutoCloseable {
    private final String plural;
    private final Map<String, Long> readyAt = new ConcurrentHashMap<>();
    private final Map<String, Integer> writes = new ConcurrentHashMap<>();
    private final AtomicLong events = new AtomicLong();
    private final List<Write> log = new CopyOnWriteArrayList<>();
    private final AutoCloseable watch;
    private final Object signal = new Object();

    ReadyWatch(RestClient client, String plural) {
        this.plural = plural;
        String path = RestClient.DBOPS + "/" + plural;
        this.watch = client.watch(path, client.resourceVersion(path), this::onEvent);
    }

    String plural() {
        return plural;
    }

    /** One write seen: when it arrived, to which object, the phase it left and how many finalizers. */
    record Write(long at, String key, String phase, int finalizers) {}

    private volatile boolean logging;

    /** Starts keeping every write seen (for a round's timeline), dropping what was kept. */
    void startLog() {
        log.clear();
        logging = true;
    }

    /** Stops keeping writes; returns what was kept since {@link #startLog}. */
    List<Write> stopLog() {
        logging = false;
        return List.copyOf(log);
    }

    private void onEvent(JsonNode event) {
        events.incrementAndGet();
        JsonNode object = event.path("object");
        JsonNode meta = object.path("metadata");
        String key = meta.path("namespace").asText() + "/" + meta.path("name").asText();
        if ("MODIFIED".equals(event.path("type").asText())) {
            writes.merge(key, 1, Integer::sum);
            if (logging) {
                log.add(new Write(
                        System.nanoTime(),
                        key,
                        object.path("status").path("phase").asText(""),
                        meta.path("finalizers").size()));
            }
        }
        if (ready(object) && readyAt.putIfAbsent(key, System.nanoTime()) == null) {
            synchronized (signal) {
                signal.notifyAll();
            }
        }
    }

    private static boolean ready(JsonNode object) {
        JsonNode status = object.path("status");
        if (status.path("observedGeneration").asLong(-1)
                != object.path("metadata").path("generation").asLong(-2)) {
            return false;
        }
        for (JsonNode condition : status.path("conditions")) {
            if ("Ready".equals(condition.path("type").asText())) {
                return "True".equals(condition.path("status").asText());
            }
        }
        return false;
    }

    /** When {@code namespace/name} was first seen Ready, or null. */
    Long readyAt(String key) {
        return readyAt.get(key);
    }

    /** Writes seen to {@code namespace/name} (MODIFIED events). */
    int writes(String key) {
        return writes.getOrDefault(key, 0);
    }

    /** MODIFIED events seen in total. */
    long writes() {
        return writes.values().stream().mapToLong(Integer::longValue).sum();
    }

    /** Waits until every key is Ready; false when {@code timeout} passed first. */
    boolean awaitReady(Collection<String> keys, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> pending = List.copyOf(keys);
        synchronized (signal) {
            while (true) {
                pending = pending.stream().filter(k -> !readyAt.containsKey(k)).toList();
                if (pending.isEmpty()) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                signal.wait(Math.max(1, Math.min(left / 1_000_000, 1_000)));
            }
        }
    }

    /** The keys not Ready yet, of {@code keys}. */
    List<String> notReady(Collection<String> keys) {
        return keys.stream().filter(k -> !readyAt.containsKey(k)).toList();
    }

    @Override
    public void close() throws Exception {
        watch.close();
    }
}
