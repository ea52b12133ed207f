package io.dbprovision.apiserver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store keeps every acknowledged write through {@code kill -9}: a child JVM writes as fast as it can
 * from several threads and prints each write once the store acknowledged it; it is killed with SIGKILL at a random
 * moment, twenty times in a row on the same directory, and after each kill the store is reopened here and must hold
 * every printed write intact. fsync alternates between rounds: it only matters for a power loss, a killed process
 * must lose nothing either way. Every fifth round the writer is killed at a random moment of opening the store
 * instead, which may be while it recovers the file. Writes the kill cut off before their acknowledgement may or may
 * not be there, but if they are they must be intact too: every value can be recomputed from its name and sequence.
 *
 * <p>This is the test that found H2 losing acknowledged commits on kill (see {@code EmbeddedBackend}).
 */
class EmbeddedCrashTest {
    private static final int ROUNDS = 20;
    private static final int WRITER_THREADS = 4;
    private static final long START_TIMEOUT_SECONDS = 30;

    @TempDir
    Path dir;

    /**
     * The last acknowledged write of a name: a version with its checksum, or a deletion (seq of the last version).
     * {@code deleteTried}: a delete was submitted after it and the kill came before its acknowledgement.
     */
    private record Acked(long rv, boolean deleted, int seq, long crc, boolean deleteTried) {}

    /** What the store held for a name after a round. */
    private record Seen(long rv, long crc) {}

    /** The store as reopened after a kill. */
    private record Reopened(long currentRv, Map<String, Seen> state) {}

    @Test
    void everyAcknowledgedWriteSurvivesTwentyKillsInARow() throws Exception {
        Path data = dir.resolve("store");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Ledger ledger = new Ledger();
        Map<String, Seen> seen = new HashMap<>();
        long storeRv = 0;
        int roundsWithAcks = 0;
        List<String> report = new ArrayList<>();
        long started = System.nanoTime();
        Child next = Child.start(dir, data, 0);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                // Mostly kill while writing; every fifth round at a random moment of opening (maybe during recovery).
                boolean duringOpen = round % 5 == 4;
                long delayMillis = random.nextInt(400);
                String context = "round " + round + " (fsync " + Child.fsync(round) + ", killed " + delayMillis
                        + " ms after " + (duringOpen ? "it was told to open the store" : "its first write")
                        + ", seed " + seed + ")";
                Child child = next;
                next = null;
                child.awaitWarm();
                long roundStart = System.nanoTime();
                List<String> lines;
                try {
                    child.go();
                    if (round + 1 < ROUNDS) {
                        next = Child.start(dir, data, round + 1); // warms up while this round runs
                    }
                    if (!duringOpen) {
                        child.awaitFirstWrite();
                    }
                    Thread.sleep(delayMillis); // the kill moment is what is random here, not a wait for anything
                    lines = child.killAndCollect();
                } finally {
                    child.destroy();
                }

                int acks = ledger.read(lines, storeRv, context, child);
                roundsWithAcks += acks > 0 ? 1 : 0;
                Reopened reopened = verify(data, ledger, context);
                String roundPrefix = "r" + round + "-";
                Map<String, Seen> earlierRounds = new HashMap<>(reopened.state());
                earlierRounds.keySet().removeIf(name -> name.startsWith(roundPrefix));
                assertThat(earlierRounds)
                        .as("objects of earlier rounds, which this round never wrote, are unchanged, %s", context)
                        .isEqualTo(seen);
                seen = reopened.state();
                storeRv = reopened.currentRv();
                report.add(round + ":" + acks + "/" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - roundStart));
            }
        } finally {
            if (next != null) {
                next.destroy();
            }
        }
        System.out.printf(
                "crash test: %d kills, %d acknowledged writes, none lost, %d s (round:acks/ms: %s, seed %d)%n",
                ROUNDS,
                ledger.ackedRvs.size(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
                report,
                seed);
        assertThat(roundsWithAcks).as("rounds killed while writing").isGreaterThanOrEqualTo(ROUNDS * 4 / 5);
    }

    /** Every acknowledgement the writers printed, over all rounds. */
    private static final class Ledger {
        final Map<String, Acked> acked = new HashMap<>();
        final Set<Long> ackedRvs = new HashSet<>();

        /** Takes in a killed writer's lines; returns how many writes it acknowledged. */
        int read(List<String> lines, long storeRv, String context, Child child) {
            int acks = 0;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (!line.endsWith(" .")) {
                    assertThat(i)
                            .as("only the last line may be cut short: %s in %s", line, context)
                            .isEqualTo(lines.size() - 1);
                    continue;
                }
                String[] f = line.substring(0, line.length() - 2).split(" ");
                switch (f[0]) {
                    case "WARM" -> {}
                    case "READY" ->
                        assertThat(Long.parseLong(f[1]))
                                .as("resourceVersion the store reopened at, %s", context)
                                .isEqualTo(storeRv);
                    case "PUT" -> {
                        record(
                                f[1],
                                new Acked(
                                        Long.parseLong(f[2]),
                                        false,
                                        Integer.parseInt(f[3]),
                                        Long.parseLong(f[4]),
                                        false),
                                context);
                        acks++;
                    }
                    case "TRY" -> {
                        Acked last = acked.get(f[2]);
                        acked.put(f[2], new Acked(last.rv(), last.deleted(), last.seq(), last.crc(), true));
                    }
                    case "DEL" -> {
                        Acked last = acked.get(f[1]);
                        assertThat(last)
                                .as("delete of %s without a create, %s", f[1], context)
                                .isNotNull();
                        record(f[1], new Acked(Long.parseLong(f[2]), true, last.seq(), 0, false), context);
                        acks++;
                    }
                    default -> fail("the writer failed in %s: %s%n%s", context, line, child.log());
                }
            }
            return acks;
        }

        private void record(String name, Acked write, String context) {
            assertThat(ackedRvs.add(write.rv()))
                    .as("resourceVersion %d acknowledged twice (for %s), %s", write.rv(), name, context)
                    .isTrue();
            Acked previous = acked.get(name);
            if (previous == null || previous.rv() < write.rv()) {
                acked.put(name, write);
            }
        }

        long newestRv() {
            return ackedRvs.stream().mapToLong(Long::longValue).max().orElse(0);
        }
    }

    /** Reopens the store and checks every acknowledged write; returns what it holds. */
    private static Reopened verify(Path data, Ledger ledger, String context) {
        try (CachingStorage storage =
                CachingStorage.open(new EmbeddedBackend(data, true), StorageSettings.defaults())) {
            long currentRv = storage.currentResourceVersion();
            assertThat(currentRv)
                    .as("current resourceVersion after reopening, %s", context)
                    .isGreaterThanOrEqualTo(ledger.newestRv());
            Map<String, StoredObject> stored = new HashMap<>();
            for (StoredObject object :
                    storage.list(ListOptions.all(CrashWriter.RESOURCE)).items()) {
                assertThat(object.resourceVersion()).isLessThanOrEqualTo(currentRv);
                assertIntact(object, context);
                stored.put(object.key().name(), object);
            }
            for (Map.Entry<String, Acked> entry : ledger.acked.entrySet()) {
                String name = entry.getKey();
                Acked write = entry.getValue();
                StoredObject object = stored.get(name);
                if (!write.deleted() && object == null) {
                    assertThat(write.deleteTried())
                            .as("%s, acknowledged at resourceVersion %d, is lost; %s", name, write.rv(), context)
                            .isTrue();
                } else if (!write.deleted()) {
                    assertThat(object.resourceVersion())
                            .as("%s went back from the acknowledged resourceVersion; %s", name, context)
                            .isGreaterThanOrEqualTo(write.rv());
                    if (object.resourceVersion() == write.rv()) {
                        assertThat(CrashWriter.crc(object.value()))
                                .as("checksum of %s at resourceVersion %d, %s", name, write.rv(), context)
                                .isEqualTo(write.crc());
                        assertThat(seq(object)).isEqualTo(write.seq());
                    } else {
                        // A later write whose acknowledgement the kill cut off: it may be there, intact.
                        assertThat(seq(object)).as("%s, %s", name, context).isGreaterThan(write.seq());
                    }
                } else if (object != null) {
                    assertThat(object.resourceVersion())
                            .as(
                                    "%s, acknowledged deleted at resourceVersion %d, is back; %s",
                                    name, write.rv(), context)
                            .isGreaterThan(write.rv());
                    assertThat(seq(object)).as("%s, %s", name, context).isGreaterThan(write.seq());
                }
                assertThat(storage.get(CrashWriter.key(name)).orElse(null))
                        .as("get agrees with list for %s", name)
                        .isEqualTo(object);
            }
            Map<String, Seen> state = new HashMap<>();
            stored.forEach((name, object) ->
                    state.put(name, new Seen(object.resourceVersion(), CrashWriter.crc(object.value()))));
            return new Reopened(currentRv, state);
        }
    }

    /** Every stored value is one the writer produced, byte for byte, including versions never acknowledged. */
    private static void assertIntact(StoredObject object, String context) {
        String name = object.key().name();
        int seq = seq(object);
        assertThat(object.value())
                .as("value of %s at resourceVersion %d, %s", name, object.resourceVersion(), context)
                .isEqualTo(CrashWriter.value(name, seq));
    }

    private static int seq(StoredObject object) {
        String text = new String(object.value(), 0, Math.min(object.value().length, 80), StandardCharsets.ISO_8859_1);
        String[] parts = text.split(":", 3);
        assertThat(parts[0])
                .as("value header of %s", object.key())
                .isEqualTo(object.key().name());
        return Integer.parseInt(parts[1]);
    }

    /** The writer JVM: same java, the test classpath, its acknowledgements read line by line from its stdout. */
    private static final class Child {
        private final Process process;
        private final Path log;
        private final List<String> lines = new ArrayList<>();
        private final CountDownLatch warm = new CountDownLatch(1);
        private final CountDownLatch writing = new CountDownLatch(1);
        private final Thread reader;

        private Child(Process process, Path log) {
            this.process = process;
            this.log = log;
            this.reader =
                    Thread.ofPlatform().daemon().name("crash-child-reader").start(this::read);
        }

        static boolean fsync(int round) {
            return round % 2 == 0;
        }

        static Child start(Path dir, Path data, int round) throws IOException {
            Path log = dir.resolve("writer-" + round + ".log");
            String java = ProcessHandle.current().info().command().orElse("java");
            // Twenty JVMs start on a small machine: C1 only and the serial collector start fastest.
            List<String> command = List.of(
                    java,
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-Xmx256m",
                    "-Dorg.jooq.no-logo=true",
                    "-Dorg.jooq.no-tips=true",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-cp",
                    System.getProperty("java.class.path"),
                    CrashWriter.class.getName(),
                    data.toString(),
                    Boolean.toString(fsync(round)),
                    Integer.toString(round),
                    Integer.toString(WRITER_THREADS),
                    dir.resolve("scratch-" + round).toString());
            Process process = new ProcessBuilder(command)
                    .redirectError(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            return new Child(process, log);
        }

        private void read() {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (line.startsWith("WARM")) {
                        warm.countDown();
                    } else if (line.startsWith("PUT")) {
                        writing.countDown();
                    }
                }
            } catch (IOException e) {
                // The pipe broke with the kill; what was read is what was acknowledged.
            }
        }

        void awaitWarm() throws InterruptedException {
            await(warm, "warm up");
        }

        /** Lets the writer open the store and write. */
        void go() throws IOException {
            process.getOutputStream().write("GO\n".getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        }

        void awaitFirstWrite() throws InterruptedException {
            await(writing, "start writing");
        }

        private void await(CountDownLatch latch, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
            while (!latch.await(10, TimeUnit.MILLISECONDS)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    fail("the writer did not %s (alive: %s):%n%s", what, process.isAlive(), log());
                }
            }
        }

        /**
         * SIGKILL through kill(1): {@code destroyForcibly()} would close our end of the pipe first and lose the last
         * acknowledgements. Then reads the pipe to its end.
         */
        List<String> killAndCollect() throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-9", Long.toString(process.pid()))
                    .redirectErrorStream(true)
                    .start();
            kill.waitFor(10, TimeUnit.SECONDS);
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("writer ended").isTrue();
            assertThat(process.exitValue())
                    .as("the writer died of SIGKILL, not of its own accord:%n%s", log())
                    .isEqualTo(128 + 9);
            reader.join(TimeUnit.SECONDS.toMillis(10));
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        void destroy() {
            process.destroyForcibly();
        }

        String log() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }
}
