package io.dbprovision.apiserver.endpoints;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.InlineEventSink;
import io.dbprovision.apiserver.registry.ObjectEvent;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WatchQuery;
import io.dbprovision.apiserver.request.RequestContext;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.xnio.XnioIoThread;
import org.xnio.conduits.ConduitStreamSinkChannel;

/**
 * Watch responses: one JSON event per line ({@code {"type":"ADDED","object":{...}}}), sent as it happens, the
 * object shaped as the client asked (the kind, a one-row Table, or PartialObjectMetadata). The stream ends cleanly at
 * {@code timeoutSeconds}, on shutdown, when the client goes away, or with an ERROR event carrying a Status (410 when
 * the start version is too old, or when the client fell too far behind, so that clients re-list).
 *
 * <p>No thread is woken per event and watcher: the store hands each event to every watch's {@link WatchStream} on
 * the thread that applies the change, and the streams write it on their connections' I/O threads without blocking,
 * as the bytes its stored version keeps (encoded once, shared by every watcher): one pass per I/O thread and event
 * ({@link WatchFanout}), and over HTTP/2 one gathered write per connection and event. A client that reads slowly makes its
 * own stream's queue grow, which the store judges as any watcher's queue: past {@code StorageSettings.watcherQueue}
 * the watch is cut off ({@code StorageException.FellBehind}) and the stream ends with a 410 Expired ERROR event, as
 * Kubernetes ends a watcher that does not keep up; the others never wait for it. Everything queued is written in one
 * gathering write before one flush, so a burst goes out in full buffers rather than a record or frame per event.
 *
 * <p>Only the connection's I/O thread writes or closes the response. A client that stops reading altogether leaves
 * the stream's write pending until the server's write timeout ({@code ApiServer.Timeouts.write}); then the I/O thread
 * closes the response (an HTTP/2 stream reset, an HTTP/1.1 connection closed). The request's thread only waits for
 * the end and asks for it; it never closes the connection under a write (see {@code ApiServer} for what that did to
 * pooled buffers).
 */
final class WatchStreams {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);
    /** The longest watch served; a longer timeoutSeconds is cut to it (and a client simply watches again). */
    private static final Duration MAX_TIMEOUT = Duration.ofHours(24);

    /** {@code {"type":"ADDED","object":} and the like: what precedes an event's object. */
    private static final Map<ObjectEvent.Type, byte[]> EVENT_HEADS = eventHeads();

    private static final byte[] EVENT_TAIL = {'}', '\n'};

    private final KubeCodec codec;
    private final Tables tables;
    /** One fan-out per I/O thread: its streams' writes of an event in one pass (see {@link WatchFanout}). */
    private final Map<XnioIoThread, WatchFanout> fanouts = new ConcurrentHashMap<>();
    /** The client and stalled-write checks of every open watch, on one thread (see {@link WatchChecks}). */
    private final WatchChecks checks = new WatchChecks(Duration.ofSeconds(1));

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

        boolean[] first = {true}; // a Table's first event carries the column definitions; the I/O thread's own
        WatchStream stream = new WatchStream(item -> encode((ObjectEvent) item, output, store, first));
        InlineEventSink sink = new InlineEventSink() {
            @Override
            public void onEvent(ObjectEvent event) {
                if (event.type() == ObjectEvent.Type.BOOKMARK
                        && (!bookmarks && !sendInitialEvents || output == Output.TABLE)) {
                    return;
                }
                stream.onEvent(event);
            }

            @Override
            public void onEnd(ApiException cause) {
                stream.onEnd(cause);
            }

            @Override
            public int waiting() {
                return stream.waiting();
            }

            @Override
            public long taken() {
                return stream.taken();
            }
        };
        AutoCloseable handle;
        try {
            handle = store.watchInline(context, namespace, query, sink);
        } catch (ApiException.Expired | ApiException.TooLargeResourceVersion e) {
            // As Kubernetes' watch cache answers a watch it cannot start once the request was accepted: a stream
            // with one ERROR event (410 to re-list; 504 with ResourceVersionTooLarge to retry a little later).
            OutputStream out = call.stream(200, "application/json");
            writeLine(out, errorEvent(e), true);
            return;
        }
        Duration writeTimeout = call.writeTimeout();
        ApiException cause;
        try (handle) {
            ConduitStreamSinkChannel channel = call.streamChannel(200, "application/json");
            stream.attach(
                    channel, fanouts.computeIfAbsent(channel.getIoThread(), WatchFanout::new), call.http2Connection());
            cause = stream.awaitEnd(deadline, call::responseOpen, writeTimeout, checks);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cause = null;
        } catch (Exception e) {
            throw new ApiException.Internal("watch failed", e);
        }
        // The store hands over no more events: end the response (an ERROR event first if the store ended the watch).
        try {
            stream.finish(
                    cause == null ? null : new ByteBuffer[] {ByteBuffer.wrap(line(errorEvent(cause)))}, writeTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An event's line as buffers to write: a JSON event shares its object's kept JSON, encoded once. */
    private ByteBuffer[] encode(ObjectEvent event, Output output, ResourceStore store, boolean[] first) {
        if (output == Output.JSON && event.type() != ObjectEvent.Type.BOOKMARK) {
            return new ByteBuffer[] {
                ByteBuffer.wrap(EVENT_HEADS.get(event.type())),
                ByteBuffer.wrap(event.version().json()),
                ByteBuffer.wrap(EVENT_TAIL)
            };
        }
        byte[] bytes = line(event(event, output, store, first[0]));
        first[0] = false;
        return new ByteBuffer[] {ByteBuffer.wrap(bytes)};
    }

    private static byte[] line(Map<String, Object> line) {
        byte[] json = Json.write(line);
        byte[] bytes = java.util.Arrays.copyOf(json, json.length + 1);
        bytes[json.length] = '\n';
        return bytes;
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
