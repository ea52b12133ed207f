package io.dbprovision.apiserver.server;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;
import org.xnio.Options;
import org.xnio.SslClientAuthMode;

/**
 * The HTTPS listener: HTTP/1.1 and HTTP/2 (negotiated by ALPN), client certificates requested, many concurrent
 * streams per connection (the aggregator multiplexes long watches over few connections), graceful shutdown.
 */
public final class ApiServer implements AutoCloseable {
    private final Undertow undertow;
    private final GracefulShutdownHandler graceful;
    private final Runnable beforeDrain;

    /**
     * @param beforeDrain run when shutdown starts, after new requests are refused (closing storage ends watches, so
     *     draining does not wait for them)
     */
    public ApiServer(String host, int port, SSLContext tls, HttpHandler handler, Runnable beforeDrain) {
        this.graceful = Handlers.gracefulShutdown(handler);
        this.beforeDrain = beforeDrain;
        this.undertow = Undertow.builder()
                .addHttpsListener(port, host, tls)
                .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
                .setServerOption(UndertowOptions.HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 1000)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 16L * 1024 * 1024)
                .setSocketOption(Options.SSL_CLIENT_AUTH_MODE, SslClientAuthMode.REQUESTED)
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
     * buffers: about 4 % of the CPU of a create. Here every buffer goes back to the shared queue. 16 KiB less a
     * little, as Undertow sizes them, so that a buffer holds a TLS record; at most 32 MiB of them are kept.
     */
    private static ByteBufferPool bufferPool() {
        return new DefaultByteBufferPool(true, 16 * 1024 - 20, 2048, 0);
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
