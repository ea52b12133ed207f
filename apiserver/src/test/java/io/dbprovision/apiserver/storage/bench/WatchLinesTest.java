package io.dbprovision.apiserver.storage.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class WatchLinesTest {
    private static final String ADDED_3 =
            "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\","
                    + "\"kind\":\"DatabaseInstance\",\"metadata\":{\"name\":\"w-3\",\"namespace\":\"bench-watch-h2\","
                    + "\"labels\":{\"note\":\"\\\"name\\\":\\\"x\"}}}}\n";
    private static final String ADDED_12 = ADDED_3.replace("\"w-3\"", "\"w-12\"");
    private static final String MODIFIED_4 =
            ADDED_3.replace("ADDED", "MODIFIED").replace("\"w-3\"", "\"w-4\"");
    private static final String BOOKMARK =
            "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"DatabaseInstance\",\"metadata\":{\"resourceVersion\":\"9\"}}}\n";
    private static final String OTHER_NAME = ADDED_3.replace("\"w-3\"", "\"template\"");

    @Test
    void stampsEachAddedEventBySequenceWhereverTheReadsSplitIt() throws IOException {
        byte[] stream = (BOOKMARK + ADDED_3 + MODIFIED_4 + OTHER_NAME + ADDED_12).getBytes(StandardCharsets.UTF_8);
        // every split point of the stream into two pieces, and single bytes, stamp the same events
        for (int split = 0; split <= stream.length; split++) {
            long[] delivered = new long[20];
            LongAdder deliveries = new LongAdder();
            WatchLines lines = new WatchLines(delivered, deliveries);
            lines.feed(stream, 0, split, 100);
            lines.feed(stream, split, stream.length - split, 200);
            assertEquals(2, deliveries.sum(), "split at " + split);
            int newline3 = BOOKMARK.length() + ADDED_3.length() - 1;
            assertEquals(split > newline3 ? 100 : 200, delivered[3], "split at " + split);
            assertEquals(split == stream.length ? 100 : 200, delivered[12], "split at " + split);
            assertEquals(0, delivered[4], "MODIFIED is not a delivery of a create");
        }
        long[] delivered = new long[20];
        LongAdder deliveries = new LongAdder();
        WatchLines lines = new WatchLines(delivered, deliveries);
        for (int i = 0; i < stream.length; i++) {
            lines.feed(stream, i, 1, i);
        }
        long[] expected = new long[20];
        expected[3] = BOOKMARK.length() + ADDED_3.length() - 1; // the time its newline arrived
        expected[12] = stream.length - 1;
        assertArrayEquals(expected, delivered);
    }

    @Test
    void aLineIsStampedWhenItsNewlineArrives() throws IOException {
        long[] delivered = new long[5];
        LongAdder deliveries = new LongAdder();
        WatchLines lines = new WatchLines(delivered, deliveries);
        byte[] line = ADDED_3.getBytes(StandardCharsets.UTF_8);
        lines.feed(line, 0, line.length - 1, 7);
        assertEquals(0, deliveries.sum());
        lines.feed(line, line.length - 1, 1, 9);
        assertEquals(9, delivered[3]);
        assertEquals(1, deliveries.sum());
    }

    @Test
    void sequencesBeyondTheRunAreIgnored() throws IOException {
        long[] delivered = new long[5];
        LongAdder deliveries = new LongAdder();
        byte[] line = ADDED_12.getBytes(StandardCharsets.UTF_8);
        new WatchLines(delivered, deliveries).feed(line, 0, line.length, 1);
        assertEquals(0, deliveries.sum());
    }

    @Test
    void theSequenceIsReadFromTheNameOnly() {
        byte[] line = ADDED_12.getBytes(StandardCharsets.UTF_8);
        assertEquals(12, WatchLines.addedSequence(line, 0, line.length - 1));
        byte[] modified = MODIFIED_4.getBytes(StandardCharsets.UTF_8);
        assertEquals(-1, WatchLines.addedSequence(modified, 0, modified.length - 1));
        byte[] other = OTHER_NAME.getBytes(StandardCharsets.UTF_8);
        assertEquals(-1, WatchLines.addedSequence(other, 0, other.length - 1));
        byte[] cut = "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"w-".getBytes(StandardCharsets.UTF_8);
        assertEquals(-1, WatchLines.addedSequence(cut, 0, cut.length), "no digit inside the line");
    }

    @Test
    void aLineWithoutEndIsABrokenStream() {
        WatchLines lines = new WatchLines(new long[1], new LongAdder());
        byte[] chunk = new byte[64 * 1024];
        assertThrows(IOException.class, () -> {
            for (int i = 0; i < 5; i++) {
                lines.feed(chunk, 0, chunk.length, i);
            }
        });
    }
}
