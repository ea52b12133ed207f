package io.dbprovision.apiserver.endpoints;

import io.dbprovision.apiserver.registry.ApiException;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.URLUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** One HTTP request and its response, over Undertow's exchange, in blocking mode (we run on a virtual thread). */
public final class Call implements io.dbprovision.apiserver.request.AuditedRequest {
    private static final HttpString WARNING = new HttpString("Warning");
    private static final int MAX_WARNING_BYTES = 4096;

    /**
     * How long a request body may take to arrive, as the kube-apiserver's default request timeout (60 s): enough for
     * 3 MiB over a slow link, and a client that declares more than it sends (or stops sending) holds its thread no
     * longer than this.
     */
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(60);

    /**
     * How long a response's write may make no progress before it is given up, put on each exchange by the server
     * ({@code ApiServer.Timeouts.write}) for the writes that do not block ({@link #respondJson(int, List)}); blocking
     * writes are bounded by the server's {@code BlockingWriteTimeoutHandler} with the same value.
     */
    public static final AttachmentKey<Duration> WRITE_TIMEOUT = AttachmentKey.create(Duration.class);

    private static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);

    private static final ScheduledExecutorService DEADLINES = deadlines();

    /**
     * A body no larger than this is answered in one piece: Undertow's output stream gets it whole and sends it, with
     * the headers, as the response's final write (over HTTP/2 one DATA frame that ends the stream, one hand-off to the
     * connection's I/O thread). Well below a pooled buffer (16 KiB less a little), so that it always fits one.
     */
    static final int ONE_PIECE_BODY = 8 * 1024;

    /**
     * The last part of a body written after {@link #onResponseWritten} has run: what the transport may still hold
     * when a request counts as answered. One pooled buffer's worth, as a Go server's buffered response writer holds
     * what a handler wrote last until it returns.
     */
    static final int LAST_PART = 16 * 1024;

    /**
     * The body timers' thread. A timer is cancelled as soon as its body has arrived, nearly always long before it is
     * due, so cancelled timers leave the queue at once: otherwise each would stay queued for the whole body timeout,
     * holding its exchange (at 2,000 requests a second, 120,000 exchanges kept alive for 60 s).
     */
    private static ScheduledExecutorService deadlines() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "request-body-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    private final HttpServerExchange exchange;
    private final Duration bodyTimeout;
    private final List<String> warnings = new ArrayList<>();
    /** Run once, when the response has been handed to the transport but for its last part; null: nothing to run. */
    private Runnable responseWritten;

    public Call(HttpServerExchange exchange) {
        this(exchange, DEFAULT_BODY_TIMEOUT);
    }

    /** @param bodyTimeout how long the body may take to arrive before the request is refused (408) */
    public Call(HttpServerExchange exchange, Duration bodyTimeout) {
        this.exchange = exchange;
        this.bodyTimeout = bodyTimeout;
    }

    public HttpServerExchange exchange() {
        return exchange;
    }

    public String method() {
        return exchange.getRequestMethod().toString();
    }

    /**
     * The decoded path, {@code ;} and all. Undertow cuts {@code ;params} out of each segment, so {@code
     * …/credentials;x} would be served as {@code …/credentials}; the kube-apiserver keeps them (a resource
     * {@code credentials;x} that does not exist, 404), and so do we: authorization, routing and audit see the path the
     * client sent.
     */
    public String path() {
        if (exchange.getPathParameters().isEmpty()) {
            return exchange.getRequestPath();
        }
        String uri = exchange.getRequestURI();
        if (exchange.isHostIncludedInRequestURI()) {
            int authority = uri.indexOf("//");
            int slash = authority < 0 ? -1 : uri.indexOf('/', authority + 2);
            uri = slash < 0 ? "/" : uri.substring(slash);
        }
        return URLUtils.decode(uri, StandardCharsets.UTF_8.name(), false, new StringBuilder());
    }

    public String query(String name) {
        Deque<String> values = exchange.getQueryParameters().getOrDefault(name, new ArrayDeque<>());
        return values.isEmpty() ? "" : values.getFirst();
    }

    /**
     * A boolean query parameter, read as Kubernetes reads one (Go's {@code strconv.ParseBool}): absent is false; any
     * spelling but 1, t, T, TRUE, true, True, 0, f, F, FALSE, false and False is refused with 400.
     */
    public boolean flag(String name) {
        String value = query(name);
        return switch (value) {
            case "", "0", "f", "F", "false", "FALSE", "False" -> false;
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            default ->
                throw new ApiException.BadRequest("invalid value \"" + PublicMessages.printable(value) + "\" for "
                        + name + ": must be true or false");
        };
    }

    /**
     * Whether the request asks to watch, decided as Kubernetes decides it before authentication: present and not
     * false or 0. The endpoints then read the parameter strictly ({@link #flag}) and refuse other spellings.
     */
    public boolean watchRequested() {
        Deque<String> values = exchange.getQueryParameters().get("watch");
        if (values == null || values.isEmpty()) {
            return false;
        }
        String value = values.getFirst().toLowerCase(Locale.ROOT);
        return !value.equals("false") && !value.equals("0");
    }

    @Override
    public String requestUri() {
        String query = exchange.getQueryString();
        return query == null || query.isEmpty() ? path() : path() + "?" + query;
    }

    @Override
    public String header(String name) {
        HeaderValues values = exchange.getRequestHeaders().get(name);
        return values == null || values.isEmpty() ? "" : values.getFirst();
    }

    /** How many times the request carries the header {@code name}. */
    public int headerCount(String name) {
        HeaderValues values = exchange.getRequestHeaders().get(name);
        return values == null ? 0 : values.size();
    }

    public List<MediaType> accept() {
        HeaderValues values = exchange.getRequestHeaders().get(Headers.ACCEPT);
        return MediaType.parseList(values == null ? "" : String.join(",", values));
    }

    public MediaType contentType() {
        String value = header("Content-Type");
        return value.isEmpty() ? MediaType.JSON : MediaType.parse(value);
    }

    /**
     * The body, refused with 413 past {@code limit} bytes: at once when its Content-Length says so (nothing is read),
     * else as soon as more arrives. A body that ends early, breaks its chunked framing or does not arrive within the
     * body timeout is refused too (400, 408). Whenever a body is refused unread the connection is not reused: where
     * the next request would start is unknown.
     */
    public byte[] body(int limit) {
        String declared = header("Content-Length");
        if (!declared.isEmpty() && declaredLength(declared) > limit) {
            exchange.setPersistent(false);
            throw tooLarge(limit);
        }
        Deadline deadline = new Deadline(exchange, Thread.currentThread());
        ScheduledFuture<?> timer = DEADLINES.schedule(deadline::expire, bodyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            InputStream in = exchange.getInputStream();
            byte[] bytes = in.readNBytes(limit + 1);
            if (deadline.expired()) {
                // the connection was closed under the read, which may have ended quietly with what had arrived
                throw timedOut();
            }
            if (bytes.length > limit) {
                exchange.setPersistent(false);
                throw tooLarge(limit);
            }
            if (!declared.isEmpty() && bytes.length < declaredLength(declared)) {
                exchange.setPersistent(false);
                throw truncated();
            }
            return bytes;
        } catch (RequestTooBigException e) {
            exchange.setPersistent(false);
            throw tooLarge(limit);
        } catch (IOException e) {
            exchange.setPersistent(false);
            throw deadline.expired() ? timedOut() : truncated();
        } finally {
            timer.cancel(false);
            deadline.finish();
        }
    }

    private static long declaredLength(String header) {
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // Undertow refuses a malformed one before us; if not, it is not a small body
        }
    }

    private ApiException timedOut() {
        return new ApiException.RequestTimeout(
                "the request body did not arrive within " + bodyTimeout.toSeconds() + "s");
    }

    private static ApiException truncated() {
        return new ApiException.BadRequest("the request body could not be read: it ended before its declared length,"
                + " or its chunked framing is broken");
    }

    private static ApiException tooLarge(int limit) {
        return new ApiException.RequestEntityTooLarge("the request body is larger than " + limit + " bytes");
    }

    /**
     * Ends a body read that outlives its deadline: interrupts the reader, whose blocking read then fails at once, and closes
     * the connection (over HTTP/2, {@code close} resets only this request's stream). No answer can follow on
     * that connection: the client sees it closed (the 408 the handler then raises goes nowhere), and the thread is
     * free. The interrupt flag is cleared once the read is over, under the same lock, so that an interrupt never
     * outlives the read it was meant for.
     */
    private static final class Deadline {
        private final HttpServerExchange exchange;
        private final Thread reader;
        private boolean finished;
        private boolean expired;

        Deadline(HttpServerExchange exchange, Thread reader) {
            this.exchange = exchange;
            this.reader = reader;
        }

        synchronized void expire() {
            if (!finished) {
                expired = true;
                reader.interrupt();
                org.xnio.IoUtils.safeClose(exchange.getConnection());
            }
        }

        synchronized boolean expired() {
            return expired;
        }

        synchronized void finish() {
            finished = true;
            if (expired) {
                Thread.interrupted();
            }
        }
    }

    /**
     * Runs {@code action} once the response's status, headers and body up to its last {@value #LAST_PART} bytes have
     * been handed to the transport, before this thread waits for them to go out; never for a streaming response
     * ({@link #stream}). The request's work is then done, though its thread may still wait for the client to take the
     * last bytes: a client that reads the answer and sends its next request at once must not find the request before
     * still counted ({@code InFlightLimits}).
     */
    public void onResponseWritten(Runnable action) {
        Runnable before = responseWritten;
        responseWritten = before == null
                ? action
                : () -> {
                    before.run();
                    action.run();
                };
    }

    private void responseWritten() {
        Runnable action = responseWritten;
        responseWritten = null;
        if (action != null) {
            action.run();
        }
    }

    public void warn(String text) {
        warnings.add(text);
    }

    public void warnAll(List<String> texts) {
        warnings.addAll(texts);
    }

    public void respond(int code, String contentType, byte[] body) {
        exchange.setStatusCode(code);
        writeWarnings();
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        boolean head = method().equals("HEAD");
        try {
            OutputStream out = exchange.getOutputStream();
            if (!head && body.length <= ONE_PIECE_BODY) {
                // No Content-Length yet: with it, the stream would send the body as soon as it has all of it and
                // then, on close, an empty final write (over HTTP/2 a second DATA frame and a second hand-off to the
                // I/O thread, each a wait for this thread). Without it, close() sets it to the bytes it holds (the
                // same header) and sends headers and body as one final write.
                out.write(body);
                responseWritten();
            } else {
                exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
                if (!head) {
                    writeBody(out, List.of(body));
                }
                responseWritten();
            }
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code parts} but for their last {@value #LAST_PART} bytes, runs {@link #onResponseWritten}'s action,
     * then writes the rest (the stream sends the whole once Content-Length bytes are written).
     */
    private void writeBody(OutputStream out, List<byte[]> parts) throws IOException {
        long length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        long beforeLast = length - Math.min(length, LAST_PART);
        long written = 0;
        for (byte[] part : parts) {
            int from = 0;
            if (written + part.length > beforeLast && written <= beforeLast) {
                from = (int) (beforeLast - written);
                out.write(part, 0, from);
                responseWritten();
            }
            out.write(part, from, part.length - from);
            written += part.length;
        }
    }

    public void respondJson(int code, byte[] body) {
        respond(code, "application/json", body);
    }

    /**
     * A JSON body written in parts, as they are (a list's items, each kept encoded with its stored version). The
     * parts are written by the connection's I/O thread while this thread waits ({@link InMemoryBodyWriter}): over
     * HTTP/2 a blocking write would hand every 16 KiB to that thread and wait for it, one round trip per frame.
     */
    public void respondJson(int code, List<byte[]> parts) {
        long length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        exchange.setStatusCode(code);
        writeWarnings();
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, length);
        try {
            // an empty or small body goes out in one final write anyway
            if (!method().equals("HEAD")
                    && length > ONE_PIECE_BODY
                    && InMemoryBodyWriter.write(exchange, parts, writeTimeout())) {
                responseWritten();
                return;
            }
            try (OutputStream out = exchange.getOutputStream()) {
                if (!method().equals("HEAD")) {
                    writeBody(out, parts);
                }
            }
            responseWritten();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How long a response's write may make no progress: the server's ({@link #WRITE_TIMEOUT}), else 30 s. */
    Duration writeTimeout() {
        Duration timeout = exchange.getAttachment(WRITE_TIMEOUT);
        return timeout == null ? DEFAULT_WRITE_TIMEOUT : timeout;
    }

    public void respondText(int code, String text) {
        respond(code, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    public void setHeader(String name, String value) {
        exchange.getResponseHeaders().put(new HttpString(name), value);
    }

    /** Starts a streaming response: headers go out at once, the caller writes and flushes each chunk. */
    public OutputStream stream(int code, String contentType) {
        exchange.setStatusCode(code);
        writeWarnings();
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        OutputStream out = exchange.getOutputStream();
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Starts a streaming response written without blocking: its headers are set, and go out at the channel's first
     * flush. The channel must be used on its I/O thread only ({@code channel.getIoThread()}).
     */
    org.xnio.conduits.ConduitStreamSinkChannel streamChannel(int code, String contentType) {
        exchange.setStatusCode(code);
        writeWarnings();
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        exchange.getResponseChannel(); // installs the response's conduits (chunking, HTTP/2 framing) on the channel
        // The channel under the exchange's own wrapper: that wrapper defers resumeWrites() while the handler runs
        // (until it returns, which a watch's does only at its end), so a write-ready listener set through it never
        // fires during the watch.
        return io.undertow.server.Connectors.getConduitSinkChannel(exchange);
    }

    /** The HTTP/2 connection that carries this request's stream; null over HTTP/1.1 (see {@link Http2FlushHold}). */
    io.undertow.server.protocol.framed.AbstractFramedChannel<?, ?, ?> http2Connection() {
        return Http2FlushHold.connectionOf(exchange);
    }

    /**
     * Whether the response can still reach the client: false once an HTTP/2 stream was reset by the client (or the
     * connection closed), which a streaming response otherwise only learns at its next write.
     */
    public boolean responseOpen() {
        return exchange.getConnection().isOpen()
                && io.undertow.server.Connectors.getConduitSinkChannel(exchange).isOpen();
    }

    public boolean responseStarted() {
        return exchange.isResponseStarted();
    }

    /** Answers with {@code error} as a Kubernetes {@code Status}, unless a response has already started. */
    public void fail(ApiException error) {
        if (responseStarted()) {
            return;
        }
        if (error.retryAfterSeconds() > 0) {
            setHeader("Retry-After", Integer.toString(error.retryAfterSeconds()));
        }
        respondJson(error.code(), Json.write(StatusDocuments.failure(error)));
    }

    /** The status code sent, or to be sent (200 until a handler sets another). */
    public int statusCode() {
        return exchange.getStatusCode();
    }

    /** {@code Warning: 299 - "text"} per warning, as Kubernetes sends them, within its 4 KiB budget. */
    private void writeWarnings() {
        int used = 0;
        for (String warning : warnings) {
            String text = warning.length() > 256 ? warning.substring(0, 256) : warning;
            String value = "299 - \"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            used += value.length();
            if (used > MAX_WARNING_BYTES) {
                break;
            }
            exchange.getResponseHeaders().add(WARNING, value);
        }
    }
}
