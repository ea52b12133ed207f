package io.dbprovision.apiserver.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An audit log that gathers lines in one buffer and writes them out in large writes, so that a request pays for turning
 * its event into bytes and a copy under a lock, not for a system call.
 *
 * <p>When lines reach the output: when the buffer ({@value #BUFFER_BYTES} bytes) is full, before a file is rotated, on
 * {@link #close()}, and otherwise at most {@code flushInterval} after the first line that waits (a flusher thread
 * sleeps while nothing waits). So under load there is one write per buffer-full, and when quiet a line reaches the file
 * within the interval. What a crash of the process can lose is what waited at that moment: at most one interval of
 * events. Lines are written whole, each buffer-full of complete lines in one write, so readers never see half lines
 * from two requests. Nothing is forced to the disk ({@code fsync}), as Kubernetes' log backend does not.
 *
 * <p>The lock is a {@link ReentrantLock}, not {@code synchronized}, so that a virtual thread that waits for it, or
 * writes while holding it, does not hold its carrier thread. Failures are counted and logged once per outage; the next
 * successful write logs how many events were lost.
 */
abstract class BufferedAuditLog implements AuditLog {
    static final int BUFFER_BYTES = 64 * 1024;
    static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(200);
    private static final Logger LOG = LoggerFactory.getLogger(BufferedAuditLog.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition waiting = lock.newCondition();
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    private final long flushIntervalNanos;
    private final String description;
    private int bufferedEvents;
    private boolean pending;
    private boolean closed;
    private boolean failing;
    private long droppedInOutage;
    private volatile long dropped;
    private volatile int outagesReported;
    private Thread flusher;

    BufferedAuditLog(String description, Duration flushInterval) {
        this.description = description;
        this.flushIntervalNanos = flushInterval.toNanos();
    }

    /** Starts the flusher; called once the subclass is ready to write. */
    final void startFlusher() {
        flusher = Thread.ofVirtual().name("audit-log-flusher").start(this::flushLoop);
    }

    @Override
    public final void write(AuditEvent event) {
        ByteBuffer line;
        try {
            line = AuditEventJson.lineBuffer(event); // outside the lock: the request's own work
        } catch (RuntimeException e) {
            lock.lock();
            try {
                drop(1, e);
            } finally {
                lock.unlock();
            }
            return;
        }
        lock.lock();
        try {
            if (closed) {
                drop(1, new IOException("the audit log is closed"));
                return;
            }
            int length = line.remaining();
            beforeAppend(length);
            if (length > buffer.remaining()) {
                flushBuffer();
            }
            if (length > buffer.capacity()) {
                writeCounted(line, 1);
                return;
            }
            buffer.put(line);
            bufferedEvents++;
            if (!pending) {
                pending = true;
                waiting.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final long droppedEvents() {
        return dropped;
    }

    @Override
    public final void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            waiting.signalAll();
            flushBuffer();
            try {
                closeOutput();
            } catch (IOException e) {
                LOG.warn("audit log {}: closing it failed: {}", description, e.toString());
            }
        } finally {
            lock.unlock();
        }
        if (flusher != null) {
            try {
                flusher.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        afterClose();
    }

    /** How many times a failure was logged: once per outage, however many events it cost. */
    final int outagesReported() {
        return outagesReported;
    }

    /** Called with the lock held before a line of {@code length} bytes is added; a file log rotates here. */
    void beforeAppend(int length) {}

    /** Bytes waiting in the buffer. Called with the lock held. */
    final int bufferedBytes() {
        return buffer.position();
    }

    /** Writes every waiting line out. Called with the lock held. */
    final void flushBuffer() {
        pending = false;
        if (buffer.position() == 0) {
            return;
        }
        buffer.flip();
        try {
            writeCounted(buffer, bufferedEvents);
        } finally {
            buffer.clear();
            bufferedEvents = 0;
        }
    }

    /** Writes all of {@code bytes} to the output. Called with the lock held; throws if the output cannot take them. */
    abstract void writeOut(ByteBuffer bytes) throws IOException;

    /** Releases the output. Called once, with the lock held, after the last flush. */
    abstract void closeOutput() throws IOException;

    /** Called once after the log is closed and the flusher has ended, without the lock. */
    void afterClose() {}

    /** Reports a failure that lost no event (a rotation that did not happen): logged once per outage, like write failures. */
    final void reportFailure(String what, Exception e) {
        if (!failing) {
            failing = true;
            outagesReported++;
            LOG.error("audit log {}: {}: {}", description, what, e.toString());
        }
    }

    private void writeCounted(ByteBuffer bytes, int events) {
        try {
            writeOut(bytes);
            if (failing) {
                failing = false;
                LOG.warn(
                        "audit log {}: writing again ({} events were dropped meanwhile)", description, droppedInOutage);
                droppedInOutage = 0;
            }
        } catch (IOException | RuntimeException e) {
            drop(events, e);
        }
    }

    private void drop(int events, Exception cause) {
        dropped += events; // written with the lock held; read without it
        droppedInOutage += events;
        if (!failing) {
            failing = true;
            outagesReported++;
            LOG.error(
                    "audit log {}: cannot write events ({}); they are dropped and counted, and this is logged once"
                            + " until writing works again",
                    description,
                    cause.toString());
        }
    }

    private void flushLoop() {
        lock.lock();
        try {
            while (!closed) {
                while (!pending && !closed) {
                    waiting.awaitUninterruptibly();
                }
                // let more lines gather for one write, then write what waits
                long remaining = flushIntervalNanos;
                while (!closed && remaining > 0) {
                    remaining = waiting.awaitNanos(remaining);
                }
                if (!closed) {
                    flushBuffer();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
