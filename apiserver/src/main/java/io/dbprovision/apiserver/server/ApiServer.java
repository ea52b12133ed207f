package io.dbprovision.apiserver.server;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.xnio.Options;
import org.xnio.Sequence;
import org.xnio.SslClientAuthMode;

/**
 * The HTTPS listener: HTTP/1.1 and HTTP/2 (negotiated by ALPN), TLS 1.2 and 1.3 with the {@link ServerTls} cipher
 * suites only, client certificates requested, many concurrent streams per connection (the aggregator multiplexes long
 * watches over few connections), idle and slow connections closed ({@link Timeouts}), graceful shutdown.
 */
public final class ApiServer implements AutoCloseable {
    /**
     * How long a connection may sit idle and how long a request's headers may take to arrive, as the kube-apiserver
     * bounds them. There is deliberately no read timeout on the whole connection: a watch (or an HTTP/2 connection
     * carrying only watches) receives nothing from its client for as long as timeoutSeconds, up to hours, and must
     * live. A body that stalls is bounded by the request pipeline's body timeout instead.
     *
     * @param idle a connection with no request in flight is closed after this (Undertow's {@code NO_REQUEST_TIMEOUT};
     *     the kube-apiserver's {@code IdleTimeout} is 90 s, for HTTP/1.1 keep-alive and HTTP/2 alike). It also bounds
     *     a client that connects and never completes its TLS handshake.
     * @param requestParse the request line and headers must arrive within this once they started (Undertow's
     *     {@code REQUEST_PARSE_TIMEOUT}; the kube-apiserver's {@code ReadHeaderTimeout} is 32 s): a client that trickles
     *     its headers a byte at a time (slowloris) holds a connection no longer than this
     */
    /**
     * @param write how long a response's write may make no progress (a client that stopped reading) before its
     *     stream is reset (HTTP/2) or its connection closed (HTTP/1.1), on the writing thread itself
     */
    public record Timeouts(Duration idle, Duration requestParse, Duration write) {
        public static final Duration DEFAULT_WRITE = Duration.ofSeconds(30);
        public static final Timeouts DEFAULTS =
                new Timeouts(Duration.ofSeconds(90), Duration.ofSeconds(32), DEFAULT_WRITE);

        public Timeouts(Duration idle, Duration requestParse) {
            this(idle, requestParse, DEFAULT_WRITE);
        }
    }

    private final Undertow undertow;
    private final GracefulShutdownHandler graceful;
    private final Runnable beforeDrain;

    /**
     * @param beforeDrain run when shutdown starts, after new requests are refused (closing storage ends watches, so
     *     draining does not wait for them)
     */
    public ApiServer(String host, int port, SSLContext tls, HttpHandler handler, Runnable beforeDrain) {
        this(host, port, tls, handler, beforeDrain, Timeouts.DEFAULTS);
    }

    public ApiServer(
            String host, int port, SSLContext tls, HttpHandler handler, Runnable beforeDrain, Timeouts timeouts) {
        // A write that makes no progress fails on the thread that writes, which closes its own response. Nothing
        // else may close a connection under a response being written: Undertow then ends the exchange on the
        // closing thread, returning the response's pooled buffer while its writer still fills it, and the next
        // response handed that buffer carries foreign bytes (seen as a GET overflowing its Content-Length).
        this.graceful = Handlers.gracefulShutdown(io.undertow.server.handlers.BlockingWriteTimeoutHandler.builder()
                .writeTimeout(timeouts.write())
                .nextHandler(exchange -> {
                    // the same bound for the writes that do not block (a list's body, watch streams)
                    exchange.putAttachment(io.dbprovision.apiserver.endpoints.Call.WRITE_TIMEOUT, timeouts.write());
                    handler.handleRequest(exchange);
                })
                .build());
        this.beforeDrain = beforeDrain;
        // TLS records encrypted in heap buffers (the JDK's fast AES-GCM path), then copied into Undertow's direct
        // ones: about 2.5 times less CPU per byte of a large response (HeapRecordSslEngine)
        this.undertow = Undertow.builder()
                .addHttpsListener(port, host, HeapRecordSslEngine.context(tls))
                .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
                .setServerOption(UndertowOptions.HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 1000)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 16L * 1024 * 1024)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, (int)
                        timeouts.idle().toMillis())
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int)
                        timeouts.requestParse().toMillis())
                .setSocketOption(Options.SSL_CLIENT_AUTH_MODE, SslClientAuthMode.REQUESTED)
                .setSocketOption(Options.SSL_ENABLED_PROTOCOLS, Sequence.of(ServerTls.PROTOCOLS))
                .setSocketOption(Options.SSL_ENABLED_CIPHER_SUITES, Sequence.of(ServerTls.CIPHER_SUITES))
                .setIoThreads(Math.max(2, Runtime.getRuntime().availableProcessors()))
                .setWorkerThreads(4) // requests run on virtual threads; Undertow's workers stay idle
                .setByteBufferPool(bufferPool())
                .setHandler(graceful)
                .build();
    }

    /**
     * Undertow's buffer pool without per-thread caches. Its default keeps a few buffers per thread, which suits a
     * fixed pool of worker threads; our requests run on virtual threads, one per request, so every buffer a request
     * returned went into a cache that died with its thread, and the next request allocated (and zeroed) new direct
     * buffers: about 4 % of the CPU of a create. Here every buffer goes back to the shared queue; at most 32 MiB of
     * them are kept.
     *
     * <p>The size: a buffer and what goes with it must fit one TLS record, because Undertow's TLS layer wraps and
     * writes record by record. A TLS 1.3 record holds at most 16,383 bytes of a response (the JDK keeps one for the
     * content type), and over HTTP/2 a buffer leaves as one DATA frame with 25 more bytes in its record (measured;
     * the 9-byte frame header among them). At 16 KiB − 20, as Undertow sizes its own, every frame spilled 22
     * bytes into a second record and a second write (strace of five LISTs over HTTP/2: 3,770 writes of 16,405 bytes
     * and 3,765 of 44); at 16 KiB − 64 each frame is one record and one write, with room to spare.
     */
    private static final int BUFFER_SIZE = 16 * 1024 - 64;

    private static ByteBufferPool bufferPool() {
        return new DefaultByteBufferPool(true, BUFFER_SIZE, 2048, 0);
    }

    public void start() {
        undertow.start();
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().getFirst().getAddress()).getPort();
    }

    @Override
    public void close() {
        graceful.shutdown();
        beforeDrain.run();
        try {
            graceful.awaitShutdown(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        undertow.stop();
    }
}
