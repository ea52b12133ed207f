package io.dbprovision.apiserver.storage.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;

/**
 * One watch stream's bytes as the HTTP benchmark reads them: newline-delimited JSON events, fed in whatever pieces
 * the transport hands over (a read of the JDK client's body stream, a DATA frame, an HTTP/1.1 chunk). Each complete
 * line that is an {@code ADDED} event of a benchmark object {@code w-<sequence>} stamps {@code delivered[sequence]}
 * with the time its last piece arrived and counts a delivery. The line is found by a byte search for the name, not
 * a JSON parse, so that the load driver's cost per event stays a small part of the server's. Both watch drivers
 * (the JDK HttpClient and {@link NettyWatchDriver}) read through it, so their latencies are stamped alike. Not thread
 * safe: one reader per stream.
 */
final class WatchLines {
    private static final byte[] NAME_MARKER = "\"name\":\"w-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ADDED = "\"ADDED\"".getBytes(StandardCharsets.US_ASCII);
    /** The event type comes first in the line (at byte 8); it is looked for in this many bytes. */
    private static final int TYPE_WITHIN = 20;
    /** The longest line held while waiting for its end (an event is ~2 KiB; this is a broken stream). */
    static final int MAX_LINE = 256 * 1024;

    private final long[] delivered;
    private final LongAdder deliveries;
    /** The start of a line whose end has not arrived yet: {@code held} bytes. */
    private byte[] partial = new byte[4096];

    private int held;

    WatchLines(long[] delivered, LongAdder deliveries) {
        this.delivered = delivered;
        this.deliveries = deliveries;
    }

    /** Takes {@code length} bytes of the stream, which arrived at {@code now} (System.nanoTime()). */
    void feed(byte[] bytes, int offset, int length, long now) throws IOException {
        int end = offset + length;
        int lineStart = offset;
        for (int i = offset; i < end; i++) {
            if (bytes[i] == '\n') {
                if (held > 0) {
                    hold(bytes, lineStart, i);
                    stamp(partial, 0, held, now);
                    held = 0;
                } else {
                    stamp(bytes, lineStart, i, now);
                }
                lineStart = i + 1;
            }
        }
        if (lineStart < end) {
            hold(bytes, lineStart, end);
        }
    }

    private void hold(byte[] bytes, int from, int to) throws IOException {
        int needed = held + (to - from);
        if (needed > MAX_LINE) {
            throw new IOException("a watch event longer than " + MAX_LINE + " bytes");
        }
        if (needed > partial.length) {
            partial = java.util.Arrays.copyOf(partial, Math.min(MAX_LINE, Math.max(needed, partial.length * 2)));
        }
        System.arraycopy(bytes, from, partial, held, to - from);
        held = needed;
    }

    private void stamp(byte[] line, int from, int to, long now) {
        int sequence = addedSequence(line, from, to);
        if (sequence >= 0 && sequence < delivered.length) {
            delivered[sequence] = now;
            deliveries.increment();
        }
    }

    /**
     * The sequence of the benchmark object in the event line {@code line[from, to)} (no newline) when the line is an
     * {@code ADDED} event whose object is named {@code w-<digits>}; -1 otherwise (other event types, bookmarks,
     * errors, other objects).
     */
    static int addedSequence(byte[] line, int from, int to) {
        if (indexOf(line, from, Math.min(to, from + TYPE_WITHIN), ADDED) < 0) {
            return -1;
        }
        int at = indexOf(line, from, to, NAME_MARKER);
        if (at < 0) {
            return -1;
        }
        int sequence = 0;
        int digits = 0;
        for (int j = at + NAME_MARKER.length; j < to && line[j] >= '0' && line[j] <= '9' && digits < 9; j++) {
            sequence = sequence * 10 + (line[j] - '0');
            digits++;
        }
        return digits == 0 ? -1 : sequence;
    }

    private static int indexOf(byte[] buffer, int from, int to, byte[] what) {
        outer:
        for (int i = from; i + what.length <= to; i++) {
            for (int j = 0; j < what.length; j++) {
                if (buffer[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
