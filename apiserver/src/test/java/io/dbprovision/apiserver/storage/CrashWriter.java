package io.dbprovision.apiserver.storage;

import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The child process of {@link EmbeddedCrashTest}: opens the embedded store in a directory and writes to it from
 * several threads as fast as it can until it is killed, printing one line per acknowledged write. A line is printed
 * only after the store returned, so every line names a write the store promised to keep.
 *
 * <p>Arguments: data directory, fsync (true/false), round (names the keys), writer threads, scratch directory.
 *
 * <p>It first warms up on a scratch store (class loading and JIT, seconds on a busy machine, so that the parent can
 * start the next writer while it checks the last one), prints {@code WARM} and waits for a line on stdin before it
 * opens the real store.
 *
 * <p>Lines: {@code READY <rv>} once open; {@code PUT <name> <rv> <seq> <crc32>} after a create or update;
 * {@code TRY DEL <name>} before a delete and {@code DEL <name> <rv>} after it; {@code ERR <message>} if a write
 * failed, which the parent treats as a failure of the test. Every line ends with " ." so that a line cut short can be
 * told apart.
 */
public final class CrashWriter {
    static final String RESOURCE = "crashtests.test.dbprovision.io";
    static final String NAMESPACE = "crash";
    // Unbuffered: each line is one write(2) on the pipe, out of reach of a later kill once it returned.
    private static final FileOutputStream OUT = new FileOutputStream(FileDescriptor.out);

    private CrashWriter() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        boolean fsync = Boolean.parseBoolean(args[1]);
        String round = args[2];
        int threads = Integer.parseInt(args[3]);
        Path scratch = Path.of(args[4]);
        // If the parent dies without killing us, do not write forever.
        Thread.ofPlatform().daemon().start(() -> {
            sleep(120_000);
            Runtime.getRuntime().halt(3);
        });
        try (CachingStorage warmup = CachingStorage.open(
                new EmbeddedBackend(scratch, false), StorageSettings.defaults().withFsync(false))) {
            write(warmup, "warmup-", new SplittableRandom(1), 200, false);
            warmup.list(ListOptions.all(RESOURCE));
        }
        deleteTree(scratch);
        emit("WARM");
        if (new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine() == null) {
            return; // the parent is gone
        }
        CachingStorage storage = CachingStorage.open(
                new EmbeddedBackend(dir, fsync), StorageSettings.defaults().withFsync(fsync));
        emit("READY " + storage.currentResourceVersion());
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String prefix = "r" + round + "-t" + t + "-";
            long seed = round.hashCode() * 31L + t;
            writers.add(Thread.ofPlatform()
                    .name("crash-writer-" + t)
                    .start(() -> write(storage, prefix, new SplittableRandom(seed), Integer.MAX_VALUE, true)));
        }
        for (Thread writer : writers) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One writer: creates, updates, deletes and re-creates keys of its own, so its preconditions always hold.
     * {@code report}: print each write (and halt on an error), which the warm-up does not.
     */
    private static void write(Storage storage, String prefix, SplittableRandom random, int writes, boolean report) {
        Map<String, Long> live = new HashMap<>(); // name -> acknowledged rv
        List<String> liveNames = new ArrayList<>();
        List<String> deletedNames = new ArrayList<>();
        Map<String, Integer> seqs = new HashMap<>();
        int created = 0;
        try {
            for (int i = 0; i < writes; i++) {
                int dice = random.nextInt(100);
                if (dice < 45 || liveNames.isEmpty()) {
                    String name;
                    if (dice < 5 && !deletedNames.isEmpty()) {
                        name = deletedNames.remove(random.nextInt(deletedNames.size()));
                    } else {
                        name = prefix + created++;
                    }
                    int seq = seqs.merge(name, 1, Integer::sum);
                    byte[] value = value(name, seq);
                    StoredObject stored = storage.create(key(name), value, Attributes.EMPTY);
                    live.put(name, stored.resourceVersion());
                    liveNames.add(name);
                    report(report, "PUT " + name + " " + stored.resourceVersion() + " " + seq + " " + crc(value));
                } else if (dice < 90) {
                    String name = liveNames.get(random.nextInt(liveNames.size()));
                    int seq = seqs.merge(name, 1, Integer::sum);
                    byte[] value = value(name, seq);
                    StoredObject stored = storage.update(key(name), live.get(name), value, Attributes.EMPTY);
                    live.put(name, stored.resourceVersion());
                    report(report, "PUT " + name + " " + stored.resourceVersion() + " " + seq + " " + crc(value));
                } else {
                    String name = liveNames.remove(random.nextInt(liveNames.size()));
                    // A delete cut off before its acknowledgement leaves no value behind to recognise it by.
                    report(report, "TRY DEL " + name);
                    StoredObject deleted = storage.delete(key(name), live.remove(name));
                    deletedNames.add(name);
                    report(report, "DEL " + name + " " + deleted.resourceVersion());
                }
            }
        } catch (RuntimeException e) {
            emit("ERR " + e.toString().replace('\n', ' '));
            Runtime.getRuntime().halt(2);
        }
    }

    private static void report(boolean report, String line) {
        if (report) {
            emit(line);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    static ObjectKey key(String name) {
        return new ObjectKey(RESOURCE, NAMESPACE, name);
    }

    /**
     * The value of version {@code seq} of {@code name}: a header naming both, then bytes derived from them. Anyone can
     * recompute it, so even a version whose acknowledgement was never printed can be checked for damage.
     */
    static byte[] value(String name, int seq) {
        byte[] header = (name + ":" + seq + ":").getBytes(StandardCharsets.UTF_8);
        SplittableRandom random = new SplittableRandom(name.hashCode() * 1_000_003L + seq);
        byte[] value = new byte[header.length + 64 + random.nextInt(900)];
        System.arraycopy(header, 0, value, 0, header.length);
        for (int i = header.length; i < value.length; i++) {
            value[i] = (byte) random.nextInt(256);
        }
        return value;
    }

    static long crc(byte[] value) {
        CRC32 crc = new CRC32();
        crc.update(value);
        return crc.getValue();
    }

    /** One write(2) per line, so that a kill never leaves half a line followed by another line. */
    private static void emit(String line) {
        byte[] bytes = (line + " .\n").getBytes(StandardCharsets.UTF_8);
        synchronized (OUT) {
            try {
                OUT.write(bytes);
            } catch (IOException e) {
                Runtime.getRuntime().halt(4); // the parent is gone
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
