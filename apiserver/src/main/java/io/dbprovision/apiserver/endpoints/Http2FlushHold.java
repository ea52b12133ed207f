package io.dbprovision.apiserver.endpoints;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.framed.AbstractFramedChannel;
import io.undertow.server.protocol.http2.Http2ServerConnection;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds back an HTTP/2 connection's frame writes while the watch fan-out fills many of its streams, so that one
 * event to a hundred streams of a connection is one gathered write (a few TLS records, one socket write) instead of a
 * hundred.
 *
 * <p>Why it reaches into Undertow (2.4.4): when a stream's sink is flushed on the connection's I/O thread, {@code
 * AbstractFramedChannel.flush()} runs {@code flushSenders} at once, which writes that one frame to the TLS conduit
 * and the socket. {@code flushSenders} does gather every frame queued when it runs, and frames queued while it runs
 * wait for the next run ({@code flush()} skips while its {@code flushingSenders} flag is set), but nothing public
 * defers it: {@code setRequireExplicitFlush} does not, since a stream's flush marks its buffer full, which flushes
 * anyway. So during a fan-out pass the flag is set here, each stream's flush only queues its frame, and {@link
 * #release} clears it and runs {@code flushSenders} once for all of them.
 *
 * <p>Safe because it only ever happens on the connection's I/O thread, which is the only thread that runs {@code
 * flushSenders} (other threads' flushes are handed to it): while the flag is held no run can be under way, other
 * threads' frames queued meanwhile are gathered by the release's run, as they would be by any run. If Undertow's
 * internals are not what this expects, {@link #connectionOf} answers null and the streams flush one by one, as they
 * did before.
 */
final class Http2FlushHold {
    private static final Logger LOG = LoggerFactory.getLogger(Http2FlushHold.class);

    private static final VarHandle CONNECTION_CHANNEL; // Http2ServerConnection.channel (its Http2Channel)
    private static final VarHandle FLUSHING_SENDERS; // AbstractFramedChannel.flushingSenders

    static {
        VarHandle channel = null;
        VarHandle flushing = null;
        try {
            channel = MethodHandles.privateLookupIn(Http2ServerConnection.class, MethodHandles.lookup())
                    .findVarHandle(
                            Http2ServerConnection.class, "channel", io.undertow.protocols.http2.Http2Channel.class);
            flushing = MethodHandles.privateLookupIn(AbstractFramedChannel.class, MethodHandles.lookup())
                    .findVarHandle(AbstractFramedChannel.class, "flushingSenders", boolean.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn(
                    "HTTP/2 watch writes are flushed per stream: Undertow's framed channel is not as expected ({})",
                    e.toString());
            channel = null;
            flushing = null;
        }
        CONNECTION_CHANNEL = channel;
        FLUSHING_SENDERS = flushing;
    }

    /**
     * Whether watch streams opened from now on gather their connection's writes: on unless the system property
     * {@code dbprovision.watch.http2FlushHold} is {@code false} — a way out, without a rebuild, should an Undertow
     * release break what this relies on in a way the checks above do not catch.
     */
    private static volatile boolean enabled =
            !"false".equalsIgnoreCase(System.getProperty("dbprovision.watch.http2FlushHold"));

    private Http2FlushHold() {}

    /** Turns gathering on or off for watch streams opened from now on; returns the former setting. */
    static boolean setEnabled(boolean on) {
        boolean was = enabled;
        enabled = on;
        return was;
    }

    /**
     * The HTTP/2 connection that carries {@code exchange}'s stream; null over HTTP/1.1, if it cannot be had, or if
     * gathering is off (the stream then flushes on its own).
     */
    static AbstractFramedChannel<?, ?, ?> connectionOf(HttpServerExchange exchange) {
        if (!enabled
                || CONNECTION_CHANNEL == null
                || !(exchange.getConnection() instanceof Http2ServerConnection connection)) {
            return null;
        }
        return (AbstractFramedChannel<?, ?, ?>) CONNECTION_CHANNEL.get(connection);
    }

    /**
     * Holds {@code connection}'s frame writes: its streams' flushes queue their frames until {@link #release}. Only
     * on the connection's I/O thread; false if it could not be held (then nothing was changed).
     */
    static boolean hold(AbstractFramedChannel<?, ?, ?> connection) {
        return FLUSHING_SENDERS.compareAndSet(connection, false, true);
    }

    /** Lets {@code connection} write again and writes every frame queued, in one gathered write. I/O thread only. */
    static void release(AbstractFramedChannel<?, ?, ?> connection) {
        FLUSHING_SENDERS.setVolatile(connection, false);
        connection.flush();
    }
}
