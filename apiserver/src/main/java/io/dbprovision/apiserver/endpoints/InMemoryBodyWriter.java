package io.dbprovision.apiserver.endpoints;

import io.undertow.server.Connectors;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

/**
 * Writes a response body that is already in memory (a list's parts: each stored version's kept JSON) from the
 * connection's I/O thread, as fast as the connection takes it, while the request's thread waits once for the end.
 *
 * <p>Why: a blocking write over HTTP/2 hands every pooled buffer (16 KiB) from the writing thread to the
 * connection's I/O thread and waits to be woken when that frame is out, about 1,200 round trips for a LIST of
 * 10,000 objects (see docs/performance.md, issue 11). Here the I/O thread itself fills the stream's buffer, sends
 * the frame, and fills it again in the same run while the socket accepts; the request's thread is woken once.
 * Over HTTP/1.1 the same loop runs on the I/O thread instead of the request's.
 *
 * <p>Everything that touches the channel runs on its I/O thread, the write timeout's abort too: nothing closes the
 * response under a write in progress (see {@code ApiServer}'s write timeout). The body's arrays are wrapped, not
 * copied, and only read.
 */
final class InMemoryBodyWriter implements ChannelListener<StreamSinkChannel> {
    /**
     * Buffers handed to one write call: the conduits under it (fixed length, HTTP/1.1 response) walk the whole array
     * on each call, so a list's 20,000 parts go in windows. 64 parts are more than a pooled buffer's worth.
     */
    private static final int WINDOW = 64;

    /** Bytes written in one run of the I/O thread before it lets the other connections' events in. */
    private static final long BYTES_PER_RUN = 512 * 1024;

    private final HttpServerExchange exchange;
    private final StreamSinkChannel response;
    /** The connection's channel under the exchange's: writes resumed on it are not deferred to the handler's end. */
    private final StreamSinkChannel connection;

    private final ByteBuffer[] buffers;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    /** The first buffer with bytes left; read and written on the I/O thread only. */
    private int next;

    private volatile long lastProgress = System.nanoTime();

    private InMemoryBodyWriter(HttpServerExchange exchange, StreamSinkChannel response, List<byte[]> parts) {
        this.exchange = exchange;
        this.response = response;
        this.connection = Connectors.getConduitSinkChannel(exchange);
        this.buffers = new ByteBuffer[parts.size()];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = ByteBuffer.wrap(parts.get(i)).asReadOnlyBuffer();
        }
    }

    /**
     * Writes {@code parts} as the whole response body and ends the response; returns once every byte is out, or
     * throws when the write fails or makes no progress for {@code timeout} (the response is then reset, or its
     * connection closed). The status and headers, Content-Length included, must be set.
     *
     * @return false if the exchange's response channel was already taken (nothing written: write it another way)
     */
    static boolean write(HttpServerExchange exchange, List<byte[]> parts, Duration timeout) throws IOException {
        StreamSinkChannel response = exchange.getResponseChannel();
        if (response == null) {
            return false;
        }
        new InMemoryBodyWriter(exchange, response, parts).run(timeout);
        return true;
    }

    private void run(Duration timeout) throws IOException {
        response.getWriteSetter().set(this);
        response.getIoThread().execute(() -> handleEvent(response));
        long limit = timeout.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                long idle = System.nanoTime() - lastProgress;
                if (idle >= limit || interrupted) {
                    abort(
                            interrupted
                                    ? new InterruptedIOException("the response's thread was interrupted")
                                    : new IOException(
                                            "the response made no progress for " + timeout.toSeconds() + "s"));
                    return;
                }
                try {
                    done.get(limit - idle, TimeUnit.NANOSECONDS);
                    return;
                } catch (TimeoutException e) {
                    // progress was made meanwhile (the next round waits on), or none (it aborts)
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw failure(e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Ends the write with {@code failure} on the I/O thread (closing the response) unless it has just completed, and
     * waits for that; the write may have completed after all.
     */
    private void abort(IOException failure) throws IOException {
        response.getIoThread().execute(() -> {
            if (!done.isDone()) {
                fail(failure);
            }
        });
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw failure(e);
        } catch (InterruptedException | TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            done.completeExceptionally(failure); // a late run of the listener must not write any more
            throw failure;
        }
    }

    private static IOException failure(ExecutionException e) {
        return e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }

    /** Runs on the I/O thread: writes while the connection takes bytes, then waits to be called again. */
    @Override
    public void handleEvent(StreamSinkChannel ignored) {
        if (done.isDone()) {
            return;
        }
        connection.suspendWrites(); // resumed below only while there is something to wait for
        try {
            long written = 0;
            skipWritten();
            while (next < buffers.length) {
                if (written >= BYTES_PER_RUN) {
                    connection.getIoThread().execute(() -> handleEvent(response));
                    return;
                }
                long n = response.write(buffers, next, Math.min(WINDOW, buffers.length - next));
                if (n == 0) {
                    connection.resumeWrites();
                    return;
                }
                written += n;
                lastProgress = System.nanoTime();
                skipWritten();
            }
            response.shutdownWrites();
            if (!response.flush()) {
                connection.resumeWrites();
                return;
            }
            done.complete(null);
        } catch (IOException | RuntimeException e) {
            fail(e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** Moves past the buffers with nothing left to write (empty parts too: a write of only those would write 0). */
    private void skipWritten() {
        while (next < buffers.length && !buffers[next].hasRemaining()) {
            next++;
        }
    }

    /**
     * A response that cannot be finished is cut off where it is: the HTTP/2 stream reset, the HTTP/1.1 connection
     * closed (its client would otherwise wait for the rest of the Content-Length).
     */
    private void fail(IOException failure) {
        IoUtils.safeClose(exchange.getConnection());
        done.completeExceptionally(failure);
    }
}
