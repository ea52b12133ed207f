package io.dbprovision.apiserver.endpoints;

import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.InlineEventSink;
import io.dbprovision.apiserver.registry.ObjectEvent;
import io.undertow.server.protocol.framed.AbstractFramedChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.xnio.Buffers;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.ConduitStreamSinkChannel;

/**
 * One watch response, written without blocking on its connection's I/O thread. The store hands each event to
 * {@link #onEvent} on the thread that applies the change; the event is queued here and, if no write is under way, the
 * stream is handed to its I/O thread's {@link WatchFanout}, whose next pass writes what is queued ({@code
 * StreamSinkChannel.write}, one gathering write for up to {@link #MAX_GATHER} events) and flushes (over HTTP/2 with
 * the other streams of its connection, in one write). When the channel takes no more (the client
 * reads slowly: its TCP window or its HTTP/2 flow-control window is full), the drain stops and resumes from the
 * channel's write-ready listener; the events meanwhile wait in the queue, whose length the store judges ({@link
 * #waiting()}): a stream that falls too far behind is cut off with 410 Expired, and nobody else waits for it.
 *
 * <p>Threads: the event queue and the flags are guarded by this object's monitor; the channel is touched only on its
 * I/O thread (drains, the write listener, the final close), never by the request's thread, which only waits for the
 * watch to end ({@link #awaitEnd}) and then asks for the end of the response ({@link #finish}). So no thread ends or
 * closes the response while another writes it (see {@code ApiServer} for what that did to pooled buffers).
 */
final class WatchStream implements InlineEventSink {
    /** Events written in one gathering write at most (a burst: an initial state, a deletecollection). */
    private static final int MAX_GATHER = 64;

    /** How often {@link #finish} looks at a stalled write while the end of the response is being written. */
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

    private final Function<Object, ByteBuffer[]> encoder;
    private final ChannelListener<StreamSinkChannel> writeReady = channel -> {
        channel.suspendWrites();
        drain();
    };

    // guarded by this
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private int initialLeft; // events at the head of the queue that are the watch's initial ones
    private int waiting; // events handed over after the initial ones, not yet written
    private ConduitStreamSinkChannel channel;
    private WatchFanout fanout;
    private AbstractFramedChannel<?, ?, ?> http2Connection; // null over HTTP/1.1
    private boolean scheduled; // a drain is queued or running, or waits for the channel to take bytes
    private boolean finishing; // no event follows: write what is queued, then end the response
    private boolean done; // the response has ended (written to its end, or closed)
    private boolean storageEnded;
    private ApiException storageCause;
    private long blockedSince; // System.nanoTime() when the channel last refused bytes we had; 0 when not blocked
    private boolean endAsked; // the checks found the client gone or the write stalled: the watch ends
    private BooleanSupplier clientThere; // set before the checks see this stream
    private Duration writeTimeout;

    private volatile long taken;

    // the I/O thread's own
    private ByteBuffer[] current;
    private int[] eventEnds; // per event of the current write, the index of its last buffer in current
    private int currentEvents;
    private int currentInitial; // the first events of the current write that are initial ones
    private int eventsWritten; // events of the current write written completely
    private boolean shutDown;

    /**
     * @param encoder an event's line ({@link ObjectEvent}) or a ready line ({@code ByteBuffer[]}) as buffers to write;
     *     called on the I/O thread
     */
    WatchStream(Function<Object, ByteBuffer[]> encoder) {
        this.encoder = encoder;
    }

    // ---- the store's side (the thread that applies changes; the initial events on the request's thread)

    @Override
    public synchronized void onEvent(ObjectEvent event) {
        if (finishing || done) {
            return;
        }
        queue.addLast(event);
        if (channel == null) {
            initialLeft++; // handed over while the watch starts: the initial state, of any size
        } else {
            waiting++;
            schedule();
        }
    }

    @Override
    public synchronized void onEnd(ApiException cause) {
        if (!storageEnded) {
            storageEnded = true;
            storageCause = cause;
            notifyAll();
        }
    }

    @Override
    public synchronized int waiting() {
        return waiting;
    }

    @Override
    public long taken() {
        return taken;
    }

    // ---- the request's side

    /**
     * Starts writing to {@code channel} (headers first, then what is queued), in {@code fanout}'s passes (the fan-out
     * of {@code channel}'s I/O thread); {@code http2Connection} is the HTTP/2 connection that carries the stream, whose
     * frame writes a pass may hold to gather them, or null.
     */
    synchronized void attach(
            ConduitStreamSinkChannel channel, WatchFanout fanout, AbstractFramedChannel<?, ?, ?> http2Connection) {
        this.channel = channel;
        this.fanout = fanout;
        this.http2Connection = http2Connection;
        scheduled = true; // the first drain flushes the headers even when nothing is queued
        fanout.ready(this);
    }

    /**
     * Waits until the watch should end: the store ended it (its cause is returned: null for a normal end, e.g.
     * shutdown), the deadline ({@code timeoutSeconds}) passed, the client went away, or a write made no progress for
     * {@code writeTimeout} (then the response is closed). Returns null in all cases but the store's cause. The last two
     * are found by {@code checks}, which looks at every stream about once a second; this thread does not wake for them.
     */
    ApiException awaitEnd(long deadline, BooleanSupplier clientThere, Duration writeTimeout, WatchChecks checks)
            throws InterruptedException {
        synchronized (this) {
            this.clientThere = clientThere;
            this.writeTimeout = writeTimeout;
        }
        checks.add(this);
        try {
            synchronized (this) {
                while (true) {
                    if (storageEnded) {
                        return storageCause;
                    }
                    if (done || endAsked) {
                        return null;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    wait(Math.max(1, left / 1_000_000)); // woken by the store, the I/O thread or the checks
                }
            }
        } finally {
            checks.remove(this);
        }
    }

    /**
     * On the checks' thread: ends the wait of {@link #awaitEnd} if the client went away, or closes the response (on
     * its I/O thread) and ends the wait if a write made no progress for the write timeout.
     */
    void check() {
        BooleanSupplier client;
        synchronized (this) {
            if (done || storageEnded || endAsked || clientThere == null) {
                return;
            }
            client = clientThere;
        }
        if (stalledFor(writeTimeout)) {
            abort();
            askEnd();
        } else if (!client.getAsBoolean()) {
            askEnd(); // the client cancelled this watch (an HTTP/2 reset tells nothing else)
        }
    }

    private synchronized void askEnd() {
        endAsked = true;
        notifyAll();
    }

    /**
     * Ends the response: with {@code cause}, what still waits is dropped (the client must re-list anyway) and
     * {@code errorLine} (an ERROR event) is written instead; without, what waits is written. Then the response's end
     * is sent. Returns once that is done, or, if the client takes nothing for {@code writeTimeout}, once the response
     * was closed (an HTTP/2 stream reset, an HTTP/1.1 connection closed), on the I/O thread.
     */
    void finish(ByteBuffer[] errorLine, Duration writeTimeout) throws InterruptedException {
        synchronized (this) {
            if (done || channel == null) {
                return;
            }
            finishing = true;
            if (errorLine != null) {
                queue.clear();
                initialLeft = 0;
                waiting = 0;
                queue.addLast(errorLine);
            }
            schedule();
        }
        while (true) {
            synchronized (this) {
                if (done) {
                    return;
                }
                wait(CHECK_INTERVAL.toMillis());
                if (done) {
                    return;
                }
            }
            if (stalledFor(writeTimeout)) {
                abort();
                awaitDone();
                return;
            }
        }
    }

    // ---- the I/O thread's side

    /** Call holding the monitor. */
    private void schedule() {
        if (!scheduled && channel != null) {
            scheduled = true;
            fanout.ready(this);
        }
    }

    /** The HTTP/2 connection that carries this stream, or null; for the fan-out's pass. */
    AbstractFramedChannel<?, ?, ?> http2Connection() {
        return http2Connection;
    }

    /**
     * Writes what is queued, in a fan-out pass; {@code gathered} when the connection's frame writes are held for the
     * pass. Returns true when the stream must {@link #settle} once they are released: its last flush only queued its
     * frame.
     */
    boolean drainInPass(boolean gathered) {
        synchronized (this) {
            if (done) {
                return false; // ended (closed on the I/O thread) after it was handed to the pass
            }
        }
        return drain(gathered);
    }

    /**
     * After a gathered pass released the connection's frames: if this stream's frame went out, the stream is idle
     * again (or is handed to the next pass if more was queued meanwhile); if not (its flow-control window or the
     * socket is full), it waits for its channel, as any stream whose channel takes no more.
     */
    void settle() {
        try {
            synchronized (this) {
                if (done) {
                    return;
                }
            }
            if (!channel.flush()) {
                awaitWritable();
                return;
            }
            boolean more;
            synchronized (this) {
                blockedSince = 0;
                more = !queue.isEmpty() || finishing;
                if (!more) {
                    scheduled = false;
                }
            }
            if (more) {
                fanout.ready(this);
            }
        } catch (IOException | RuntimeException e) {
            IoUtils.safeClose(channel);
            ended();
        }
    }

    /** The channel can take bytes again (outside any pass). */
    private void drain() {
        drain(false);
    }

    private boolean drain(boolean gathered) {
        try {
            while (true) {
                if (current == null && !takeNext()) {
                    if (!channel.flush()) {
                        if (gathered && !shutDown) {
                            return true; // the frame is queued with the connection's others: settle after the pass
                        }
                        awaitWritable();
                        return false;
                    }
                    synchronized (this) {
                        blockedSince = 0;
                        if (!queue.isEmpty()) {
                            continue; // queued while we flushed
                        }
                        if (!finishing) {
                            scheduled = false;
                            return false;
                        }
                    }
                    if (!shutDown) {
                        shutDown = true;
                        channel.shutdownWrites();
                    }
                    if (!channel.flush()) {
                        awaitWritable();
                        return false;
                    }
                    ended();
                    return false;
                }
                long written = channel.write(current);
                if (written > 0) {
                    countWritten();
                }
                if (Buffers.hasRemaining(current)) {
                    // The channel's buffer is full: send it (an HTTP/2 stream's buffer goes out only when flushed)
                    // and write on if it went; otherwise go on when the channel says it can take more.
                    if (written == 0 || !channel.flush()) {
                        awaitWritable();
                        return false;
                    }
                    continue;
                }
                current = null;
            }
        } catch (IOException | RuntimeException e) {
            // the client went away (or reset this stream): close our side, on this thread
            IoUtils.safeClose(channel);
            ended();
            return false;
        }
    }

    /** Counts the events of the current write that are out: the store judges progress per event. */
    private void countWritten() {
        int before = eventsWritten;
        while (eventsWritten < currentEvents && !current[eventEnds[eventsWritten]].hasRemaining()) {
            eventsWritten++;
        }
        int live = Math.max(0, eventsWritten - Math.max(before, currentInitial));
        synchronized (this) {
            blockedSince = 0;
            waiting -= live;
        }
        taken += eventsWritten - before;
    }

    /** Takes up to {@link #MAX_GATHER} queued events as the next write; false if none waits. */
    private boolean takeNext() {
        List<Object> items = new ArrayList<>();
        int initial = 0;
        synchronized (this) {
            while (items.size() < MAX_GATHER && !queue.isEmpty()) {
                items.add(queue.pollFirst());
                if (initialLeft > 0) {
                    initialLeft--;
                    initial++;
                }
            }
        }
        if (items.isEmpty()) {
            return false;
        }
        List<ByteBuffer> buffers = new ArrayList<>(items.size() * 3);
        eventEnds = new int[items.size()];
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            for (ByteBuffer buffer : item instanceof ByteBuffer[] ready ? ready : encoder.apply(item)) {
                buffers.add(buffer);
            }
            eventEnds[i] = buffers.size() - 1;
        }
        current = buffers.toArray(ByteBuffer[]::new);
        currentEvents = items.size();
        currentInitial = initial;
        eventsWritten = 0;
        return true;
    }

    private void awaitWritable() {
        synchronized (this) {
            if (blockedSince == 0) {
                blockedSince = System.nanoTime();
            }
        }
        channel.getWriteSetter().set(writeReady);
        channel.resumeWrites();
    }

    /** The response has ended; on the I/O thread. */
    private synchronized void ended() {
        // Over HTTP/1.1 the channel is the connection's, which the next response on it uses: leave no listener.
        if (channel.getWriteListener() == writeReady) {
            channel.getWriteSetter().set(null);
        }
        done = true;
        scheduled = true; // nothing is written any more
        queue.clear();
        notifyAll();
    }

    private synchronized boolean stalledFor(Duration writeTimeout) {
        return !done && blockedSince != 0 && System.nanoTime() - blockedSince > writeTimeout.toNanos();
    }

    /** Closes the response on its I/O thread: its client took nothing for the write timeout. */
    private void abort() {
        ConduitStreamSinkChannel target;
        synchronized (this) {
            target = channel;
        }
        target.getIoThread().execute(() -> {
            IoUtils.safeClose(target);
            ended();
        });
    }

    private void awaitDone() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        synchronized (this) {
            while (!done && System.nanoTime() < deadline) {
                wait(100);
            }
        }
    }
}
