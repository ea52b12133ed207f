package io.dbprovision.apiserver.endpoints;

import io.undertow.server.protocol.framed.AbstractFramedChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xnio.XnioIoThread;

/**
 * The watch writes of one I/O thread: the streams that have something to write are queued here and written in one
 * pass, one task on the I/O thread however many streams an event reaches, instead of one task (and one wake-up of
 * the thread) per stream.
 *
 * <p>Over HTTP/2 the pass also gathers: while it fills a connection's streams, that connection's frame writes are
 * held ({@link Http2FlushHold}), so each stream's flush only queues its frame, and after the pass each connection
 * writes all its queued frames at once, one gathered write instead of one TLS record and socket write per stream.
 * Then each stream filled in the pass looks at its flush again ({@link WatchStream#settle}): one whose frame did not
 * go (its flow-control window or the socket is full) waits for its channel as before, without holding up the others.
 *
 * <p>Threads: {@link #ready} on any thread (the store's, the request's); the pass on the I/O thread only.
 */
final class WatchFanout implements Runnable {
    /**
     * Streams written in one pass at most; the rest go in the next pass, queued behind the tasks that came meanwhile.
     * A pass over a thousand streams takes milliseconds, and whatever else the I/O thread has to do waits for it: the
     * answer to a request on one of its connections (over HTTP/2 a response is written by a task on this thread),
     * often the very write whose event is being fanned out. So a pass is a slice, and the next slice yields to those
     * tasks. It also bounds how long a connection's held frames wait. A pass that reaches it goes on while the next
     * stream is one of a connection it holds (up to {@link #MAX_PASS_HELD}), so that a connection's streams, which
     * usually come one after the other, still go out in one gathered write.
     */
    static final int MAX_PASS = 128;

    /** Streams written in one pass at most when the ones past {@link #MAX_PASS} are of connections it holds. */
    static final int MAX_PASS_HELD = 4 * MAX_PASS;

    private final XnioIoThread ioThread;
    private final ConcurrentLinkedQueue<WatchStream> ready = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    // the I/O thread's own
    private final Set<AbstractFramedChannel<?, ?, ?>> held = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<WatchStream> settling = new ArrayList<>();

    WatchFanout(XnioIoThread ioThread) {
        this.ioThread = ioThread;
    }

    /** {@code stream} has something to write; the caller ensures it is queued once until its pass takes it. */
    void ready(WatchStream stream) {
        ready.add(stream);
        if (scheduled.compareAndSet(false, true)) {
            ioThread.execute(this);
        }
    }

    @Override
    public void run() {
        // Cleared first: a stream queued from now on schedules another pass (which may then find nothing).
        scheduled.set(false);
        WatchPassEvent event = new WatchPassEvent();
        event.begin();
        int n = 0;
        try {
            WatchStream stream;
            while ((stream = next(n)) != null) {
                n++;
                AbstractFramedChannel<?, ?, ?> connection = stream.http2Connection();
                boolean gathered = connection != null && (held.contains(connection) || holdOnce(connection));
                if (stream.drainInPass(gathered)) {
                    settling.add(stream);
                }
            }
        } finally {
            event.connections = held.size();
            for (AbstractFramedChannel<?, ?, ?> connection : held) {
                Http2FlushHold.release(connection);
            }
            held.clear();
        }
        try {
            for (WatchStream stream : settling) {
                stream.settle();
            }
        } finally {
            settling.clear();
        }
        event.streams = n;
        event.commit();
        if (!ready.isEmpty() && scheduled.compareAndSet(false, true)) {
            ioThread.execute(this); // the pass stopped at MAX_PASS: go on after what was queued meanwhile
        }
    }

    /** The next stream of this pass, or null if the pass ends here. Only this thread takes from the queue. */
    private WatchStream next(int taken) {
        if (taken >= MAX_PASS) {
            WatchStream head = ready.peek();
            if (head == null || taken >= MAX_PASS_HELD || !held.contains(head.http2Connection())) {
                return null;
            }
        }
        return ready.poll();
    }

    private boolean holdOnce(AbstractFramedChannel<?, ?, ?> connection) {
        if (Http2FlushHold.hold(connection)) {
            held.add(connection);
            return true;
        }
        return false;
    }
}
