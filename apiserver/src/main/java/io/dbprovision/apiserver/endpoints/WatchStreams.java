package io.dbprovision.apiserver.endpoints;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.ObjectEvent;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WatchQuery;
import io.dbprovision.apiserver.request.RequestContext;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Watch responses: one JSON event per line ({@code {"type":"ADDED","object":{...}}}), sent as it happens, the
 * object shaped as the client asked (the kind, a one-row Table, or PartialObjectMetadata). The stream ends cleanly at
 * {@code timeoutSeconds}, on shutdown, when the client goes away, or with an ERROR event carrying a Status (410 when
 * the start version is too old, or when the client fell too far behind, so that clients re-list).
 *
 * <p>Each watch has a small bounded queue between the storage's delivery thread and the thread that writes the
 * response: a client that reads slowly holds back its own delivery only, the storage layer sees it fall behind and
 * cuts it off ({@code StorageException.FellBehind}), and the stream then ends with a 410 Expired ERROR event, as
 * Kubernetes ends a watcher that does not keep up. Everything waiting is written before one flush, so that a burst
 * of events goes out as full buffers rather than a flush (a TLS record, an HTTP/2 frame) per event.
 *
 * <p>Only the request's own thread writes or ends the response. A client that stops reading altogether blocks that
 * thread in a write until the server's write timeout ({@code ApiServer.Timeouts.write}) fails it on that thread; no
 * other thread closes the connection under it (see {@code ApiServer} for what that did to pooled buffers).
 */
final class WatchStreams {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);
    /** The longest watch served; a longer timeoutSeconds is cut to it (and a client simply watches again). */
    private static final Duration MAX_TIMEOUT = Duration.ofHours(24);

    private static final Object CLOSED = new Object();

    /**
     * Events that may wait between the storage's delivery and the response's writer. Small on purpose: the storage
     * layer's own queue (StorageSettings.watcherQueue) is where falling behind is judged; this one only lets the
     * writer take a burst at once.
     */
    static final int QUEUE_CAPACITY = 16;

    /**
     * How long the storage's delivery waits at most for room in the queue before it looks again whether it should
     * stop (the response ended, or storage cut the watch off): then nobody may take from the queue again.
     */
    private static final Duration ENQUEUE_CHECK_INTERVAL = Duration.ofMillis(100);

    /**
     * How often a quiet watch checks that its client is still there. A connection close listener is not enough:
     * over HTTP/2 a client that cancels one watch resets just that stream (client-java and client-go do, and the
     * aggregator multiplexes all watches over a few connections), and nothing tells the handler; such a watch kept
     * its thread, its storage subscription and a watch slot until timeoutSeconds (30 minutes by default) or its
     * next event. (Close listeners also pile up on a long-lived connection: Undertow has no way to remove them.)
     * Over HTTP/1.1 a client's close is still only seen at the next write.
     */
    private static final Duration CLIENT_CHECK_INTERVAL = Duration.ofSeconds(1);

    /** {@code {"type":"ADDED","object":} and the like: what precedes an event's object. */
    private static final Map<ObjectEvent.Type, byte[]> EVENT_HEADS = eventHeads();

    private static final byte[] EVENT_TAIL = {'}', '\n'};

    private final KubeCodec codec;
    private final Tables tables;

    WatchStreams(KubeCodec codec, Tables tables) {
        this.codec = codec;
        this.tables = tables;
    }

    void serve(Call call, RequestContext context, ResourceStore store, String namespace, String name) {
        Output output = Output.negotiate(call.accept());
        String fieldSelector = call.query("fieldSelector");
        if (!name.isEmpty()) {
            fieldSelector =
                    fieldSelector.isEmpty() ? "metadata.name=" + name : fieldSelector + ",metadata.name=" + name;
        }
        String rv = call.query("resourceVersion");
        boolean bookmarks = call.flag("allowWatchBookmarks");
        boolean sendInitialEvents = call.flag("sendInitialEvents");
        if (sendInitialEvents && !call.query("resourceVersionMatch").equals("NotOlderThan")) {
            throw invalid("resourceVersionMatch", "sendInitialEvents requires resourceVersionMatch=NotOlderThan");
        }
        long since = rv.isEmpty() ? 0 : ResourceEndpoints.parseLong(rv, "resourceVersion");
        // No version, or 0, means "the current state, then changes" (synthetic ADDED events), as in Kubernetes.
        boolean initial = sendInitialEvents || since == 0;
        WatchQuery query = new WatchQuery(
                call.query("labelSelector"), fieldSelector, sendInitialEvents ? 0 : since, initial, bookmarks);
        Duration timeout = call.query("timeoutSeconds").isEmpty()
                ? DEFAULT_TIMEOUT
                : Duration.ofSeconds(Math.min(
                        ResourceEndpoints.parseLong(call.query("timeoutSeconds"), "timeoutSeconds"),
                        MAX_TIMEOUT.toSeconds()));
        long deadline = System.nanoTime() + timeout.toNanos();

        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
        // set when the response has ended or storage cut the watch off: the delivery then stops waiting for room
        java.util.concurrent.atomic.AtomicBoolean stopDelivery = new java.util.concurrent.atomic.AtomicBoolean();
        AutoCloseable handle;
        try {
            handle = store.watch(
                    context,
                    namespace,
                    query,
                    event -> enqueue(queue, event, stopDelivery),
                    cause -> end(queue, cause),
                    () -> stopDelivery.set(true));
        } catch (ApiException.Expired | ApiException.TooLargeResourceVersion e) {
            // As Kubernetes' watch cache answers a watch it cannot start once the request was accepted: a stream
            // with one ERROR event (410 to re-list; 504 with ResourceVersionTooLarge to retry a little later).
            OutputStream out = call.stream(200, "application/json");
            writeLine(out, errorEvent(e), true);
            return;
        }
        try (handle) {
            OutputStream out = call.stream(200, "application/json");
            boolean first = true;
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                Object next = queue.poll(Math.min(left, CLIENT_CHECK_INTERVAL.toNanos()), TimeUnit.NANOSECONDS);
                if (next == null) {
                    if (!call.responseOpen()) {
                        return; // the client cancelled this watch
                    }
                    continue;
                }
                if (next == CLOSED) {
                    return;
                }
                if (next instanceof ApiException error) {
                    writeLine(out, errorEvent(error), true);
                    return;
                }
                ObjectEvent event = (ObjectEvent) next;
                if (event.type() == ObjectEvent.Type.BOOKMARK
                        && (!bookmarks && !sendInitialEvents || output == Output.TABLE)) {
                    continue;
                }
                // Flushed when nothing else is queued: a burst (the initial state of a large list, a
                // deletecollection) goes out in full buffers, one TLS record each, not a record per event.
                boolean flush = queue.isEmpty();
                if (output == Output.JSON && event.type() != ObjectEvent.Type.BOOKMARK) {
                    writeEvent(out, event, flush);
                } else {
                    writeLine(out, event(event, output, store, first), flush);
                }
                first = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.io.UncheckedIOException e) {
            // the client went away; closing the watch is all there is to do
        } catch (Exception e) {
            throw new ApiException.Internal("watch failed", e);
        } finally {
            stopDelivery.set(true);
            // The watch is closed by now; a delivery still waiting for room may go in, see that it ended, and stop.
            queue.clear();
        }
    }

    /**
     * Hands an event to the writer, waiting while the queue is full: the wait holds back this watch's storage
     * delivery only, which is how the storage layer sees the client fall behind and cuts it off. The storage layer
     * never interrupts the wait: it sets {@code stop} (as the response's end does), seen here within {@link
     * #ENQUEUE_CHECK_INTERVAL}; what is left is then dropped, and the end (an ERROR event) follows.
     */
    private static void enqueue(
            BlockingQueue<Object> queue, ObjectEvent event, java.util.concurrent.atomic.AtomicBoolean stop) {
        try {
            while (!stop.get()) {
                if (queue.offer(event, ENQUEUE_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The watch ended (on the storage's delivery thread, never blocking). With a cause, what still waits is dropped:
     * the client must re-list anyway, and the ERROR event goes out next. At a normal end (shutdown) what waits is
     * written first if there is room; if not, dropping it is safe too, as the client resumes from the last
     * resourceVersion it received.
     */
    private static void end(BlockingQueue<Object> queue, ApiException cause) {
        Object marker = cause == null ? CLOSED : cause;
        if (cause != null || !queue.offer(marker)) {
            queue.clear();
            queue.offer(marker);
        }
    }

    private Map<String, Object> event(ObjectEvent event, Output output, ResourceStore store, boolean first) {
        Message object = event.object();
        Object shaped = switch (output) {
            case TABLE ->
                tables.table(
                        store.kind(),
                        List.of(object),
                        Map.of("resourceVersion", Objects.meta(object).getResourceVersion()),
                        first,
                        Tables.IncludeObject.METADATA);
            case PARTIAL_METADATA -> tables.partialMetadata(object);
            default -> codec.toTree(object);
        };
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", event.type().name());
        line.put("object", shaped);
        return line;
    }

    /**
     * A JSON event of an object, with the object's JSON as its stored version keeps it: every watcher of a change
     * sends the same bytes, encoded once (Kubernetes caches each event's serialization across watchers the same way).
     */
    private static void writeEvent(OutputStream out, ObjectEvent event, boolean flush) {
        try {
            out.write(EVENT_HEADS.get(event.type()));
            out.write(event.version().json());
            out.write(EVENT_TAIL);
            if (flush) {
                out.flush();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, Object> errorEvent(ApiException error) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", "ERROR");
        line.put("object", StatusDocuments.failure(error));
        return line;
    }

    private static void writeLine(OutputStream out, Map<String, Object> line, boolean flush) {
        try {
            out.write(Json.write(line));
            out.write('\n');
            if (flush) {
                out.flush();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<ObjectEvent.Type, byte[]> eventHeads() {
        Map<ObjectEvent.Type, byte[]> heads = new java.util.EnumMap<>(ObjectEvent.Type.class);
        for (ObjectEvent.Type type : ObjectEvent.Type.values()) {
            heads.put(
                    type,
                    ("{\"type\":\"" + type.name() + "\",\"object\":")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return heads;
    }

    private static ApiException invalid(String field, String detail) {
        return new ApiException.Invalid(
                "meta.k8s.io",
                "ListOptions",
                "",
                List.of(io.dbprovision.api.field.FieldError.forbidden(
                        io.dbprovision.api.field.FieldPath.of(field), detail)));
    }
}
