package io.dbprovision.apiserver.audit;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;

/**
 * The audit log on a stream, standard output for {@code --audit-log-path -} (a container's log collector then takes
 * it). Buffered as a file log (see {@link BufferedAuditLog}); the stream is flushed but not closed by {@link #close()}.
 * Standard output is written through its file descriptor, not {@link System#out}, so a buffer-full goes out in one
 * write; other output on standard output (there should be none in a server) may still come between two of them.
 */
public final class StreamAuditLog extends BufferedAuditLog {
    private final OutputStream stream;
    private final WritableByteChannel channel;

    private StreamAuditLog(String description, OutputStream stream, Duration flushInterval) {
        super(description, flushInterval);
        this.stream = stream;
        this.channel = Channels.newChannel(stream);
    }

    /** The log on standard output. */
    public static StreamAuditLog stdout() {
        return of("standard output", new FileOutputStream(FileDescriptor.out), DEFAULT_FLUSH_INTERVAL);
    }

    static StreamAuditLog of(String description, OutputStream stream, Duration flushInterval) {
        StreamAuditLog log = new StreamAuditLog(description, stream, flushInterval);
        log.startFlusher();
        return log;
    }

    @Override
    void writeOut(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        stream.flush();
    }

    @Override
    void closeOutput() throws IOException {
        stream.flush();
    }
}
