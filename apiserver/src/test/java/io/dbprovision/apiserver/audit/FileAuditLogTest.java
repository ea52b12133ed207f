package io.dbprovision.apiserver.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file log appends whole lines, rotates by size without losing one, keeps only the rotated files asked for, creates
 * its file for its owner only, takes many writers at once, and never lets a failing disk fail a request.
 */
class FileAuditLogTest {
    private static final Duration FLUSH = Duration.ofMillis(20);

    @TempDir
    Path dir;

    private FileAuditLog open(Path path, FileAuditLog.Rotation rotation) {
        return FileAuditLog.open(path, rotation, new SettableClock(Instant.parse("2025-01-31T08:00:00Z")), FLUSH);
    }

    private static FileAuditLog.Rotation rotateAt(long bytes, int maxBackups) {
        return new FileAuditLog.Rotation(bytes, maxBackups, Duration.ZERO);
    }

    /** The rotated files, oldest first (their names sort by time), then the current file. */
    private List<Path> logFiles(String current) throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = new ArrayList<>(listing.filter(f -> f.getFileName()
                            .toString()
                            .matches("audit-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}\\.log"))
                    .sorted(Comparator.comparing(Path::toString))
                    .toList());
        }
        files.add(dir.resolve(current));
        return files;
    }

    private static List<String> ids(String writer, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> writer + "-" + i).toList();
    }

    @Test
    void aNewFileAndItsDirectoryAreForTheirOwnerOnly() throws Exception {
        Path path = dir.resolve("logs/audit.log");
        try (FileAuditLog log = open(path, FileAuditLog.Rotation.defaults())) {
            log.write(AuditLines.numbered("w", 0));
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path.getParent())))
                .isEqualTo("rwx------");
        assertThat(AuditLines.auditIds(AuditLines.read(path))).containsExactly("w-0");
    }

    @Test
    void aFileRotatedAtItsSizeLosesNoEventAndStaysUnderTheSize() throws Exception {
        Path path = dir.resolve("audit.log");
        long maxBytes = 8 * 1024;
        int events = 2_000;
        try (FileAuditLog log = open(path, rotateAt(maxBytes, 0))) {
            for (int i = 0; i < events; i++) {
                log.write(AuditLines.numbered("w", i));
            }
            assertThat(log.droppedEvents()).isZero();
        }
        List<Path> files = logFiles("audit.log");
        int lineLength = AuditEventJson.line(AuditLines.numbered("w", 1000)).length;
        assertThat(files.size()).isGreaterThanOrEqualTo((int) ((long) events * lineLength / maxBytes));
        for (Path file : files) {
            assertThat(Files.size(file))
                    .as(file.toString())
                    .isLessThanOrEqualTo(maxBytes)
                    .isPositive();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
        }
        assertThat(AuditLines.auditIds(files)).as("every event once, in order").isEqualTo(ids("w", 0, events));
    }

    @Test
    void onlyTheNewestRotatedFilesAreKept() throws Exception {
        Path path = dir.resolve("audit.log");
        Path notes = Files.writeString(dir.resolve("audit-notes.log"), "not a rotated file\n");
        Path otherExtension = Files.writeString(dir.resolve("audit-2020-01-01T00-00-00.000.txt"), "x\n");
        Path other = Files.writeString(dir.resolve("other.log"), "x\n");
        int events = 500;
        try (FileAuditLog log = open(path, rotateAt(4 * 1024, 3))) {
            for (int i = 0; i < events; i++) {
                log.write(AuditLines.numbered("w", i));
            }
        }
        List<Path> files = logFiles("audit.log");
        assertThat(files).hasSize(4); // three rotated files and the current one
        List<String> kept = AuditLines.auditIds(files);
        assertThat(kept).as("the newest events, without a gap").isEqualTo(ids("w", events - kept.size(), events));
        assertThat(kept.size()).isLessThan(events);
        assertThat(notes).exists();
        assertThat(otherExtension).exists();
        assertThat(other).exists();
    }

    @Test
    void rotatedFilesOlderThanTheMaximumAgeAreRemoved() throws Exception {
        Path path = dir.resolve("audit.log");
        SettableClock clock = new SettableClock(Instant.parse("2025-01-01T00:00:00Z"));
        try (FileAuditLog log =
                FileAuditLog.open(path, new FileAuditLog.Rotation(2 * 1024, 0, Duration.ofDays(2)), clock, FLUSH)) {
            for (int day = 0; day < 6; day++) {
                if (day > 0) {
                    clock.advance(Duration.ofDays(1));
                }
                for (int i = 0; i < 10; i++) {
                    log.write(AuditLines.numbered("day" + day, i)); // several rotations a day
                }
            }
        }
        // the clock stands at Jan 6, so the last clean-up (after the last rotation, on Jan 6) keeps what was rotated on
        // Jan 4 or later
        List<Path> files = logFiles("audit.log");
        Set<String> days = new HashSet<>();
        for (Path file : files.subList(0, files.size() - 1)) {
            days.add(file.getFileName().toString().substring("audit-".length(), "audit-2025-01-01".length()));
        }
        assertThat(days).containsExactlyInAnyOrder("2025-01-04", "2025-01-05", "2025-01-06");
    }

    @Test
    void anExistingFileIsAppendedToAndItsPermissionsCarryOverToTheNextFile() throws Exception {
        Path path = dir.resolve("audit.log");
        Files.writeString(path, AuditEventJson.write(AuditLines.numbered("before", 0)) + "\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r-----"));
        int events = 100;
        try (FileAuditLog log = open(path, rotateAt(4 * 1024, 0))) {
            for (int i = 0; i < events; i++) {
                log.write(AuditLines.numbered("w", i));
            }
        }
        List<Path> files = logFiles("audit.log");
        assertThat(files.size()).isGreaterThan(2);
        for (Path file : files) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-r-----");
        }
        List<String> expected = new ArrayList<>(List.of("before-0"));
        expected.addAll(ids("w", 0, events));
        assertThat(AuditLines.auditIds(files)).isEqualTo(expected);
    }

    @Test
    void aFileAlreadyPastItsSizeIsRotatedBeforeTheFirstLine() throws Exception {
        Path path = dir.resolve("audit.log");
        Files.writeString(path, (AuditEventJson.write(AuditLines.numbered("old", 0)) + "\n").repeat(10));
        try (FileAuditLog log = open(path, rotateAt(2 * 1024, 0))) {
            log.write(AuditLines.numbered("new", 0));
        }
        assertThat(AuditLines.auditIds(AuditLines.read(path))).containsExactly("new-0");
        assertThat(logFiles("audit.log")).hasSize(2);
    }

    @Test
    void aLineCutShortIsEndedSoTheNextLineStaysWhole() throws Exception {
        Path path = dir.resolve("audit.log");
        Files.writeString(path, "{\"kind\":\"Event\",\"auditID\":\"cut");
        try (FileAuditLog log = open(path, FileAuditLog.Rotation.defaults())) {
            log.write(AuditLines.numbered("w", 0));
        }
        String[] lines = AuditLines.read(path).split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).isEqualTo("{\"kind\":\"Event\",\"auditID\":\"cut");
        assertThat(AuditLines.auditIds(lines[1] + "\n")).containsExactly("w-0");
    }

    @Test
    void aLineLargerThanTheBufferIsWrittenWhole() throws Exception {
        Path path = dir.resolve("audit.log");
        List<String> groups =
                IntStream.range(0, 10_000).mapToObj(i -> "group-" + i).toList();
        AuditEvent big = AuditLines.numbered("big", 0);
        big = new AuditEvent(
                big.level(),
                big.auditId(),
                big.stage(),
                big.requestUri(),
                big.verb(),
                AuditUser.of("alice", groups),
                null,
                big.sourceIps(),
                big.userAgent(),
                big.objectRef(),
                big.responseStatus(),
                big.requestReceivedTimestamp(),
                big.stageTimestamp(),
                big.latency(),
                big.annotations());
        assertThat(AuditEventJson.line(big).length).isGreaterThan(BufferedAuditLog.BUFFER_BYTES);
        try (FileAuditLog log = open(path, FileAuditLog.Rotation.defaults())) {
            log.write(AuditLines.numbered("w", 0));
            log.write(big);
            log.write(AuditLines.numbered("w", 1));
        }
        assertThat(AuditLines.auditIds(AuditLines.read(path))).containsExactly("w-0", "big-0", "w-1");
    }

    @Test
    void manyThreadsWriteWholeLinesAndNoneIsLost() throws Exception {
        Path path = dir.resolve("audit.log");
        int threads = 64;
        int perThread = 500;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        try (FileAuditLog log = open(path, rotateAt(256 * 1024, 0))) {
            for (int t = 0; t < threads; t++) {
                String writer = "t" + t;
                // half virtual (as requests run), half platform threads, so that both contend for the lock
                Thread.Builder builder = t % 2 == 0 ? Thread.ofVirtual() : Thread.ofPlatform();
                writers.add(builder.start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        log.write(AuditLines.numbered(writer, i));
                    }
                }));
            }
            start.countDown();
            for (Thread writer : writers) {
                writer.join();
            }
            assertThat(log.droppedEvents()).isZero();
        }
        List<String> written = AuditLines.auditIds(logFiles("audit.log")); // every line parses as one event
        assertThat(written).hasSize(threads * perThread);
        assertThat(new HashSet<>(written)).hasSize(threads * perThread);
        for (int t = 0; t < threads; t++) {
            String prefix = "t" + t + "-";
            assertThat(written.stream().filter(id -> id.startsWith(prefix)).toList())
                    .as("each writer's events in its own order")
                    .isEqualTo(ids("t" + t, 0, perThread));
        }
    }

    @Test
    void linesReachTheFileWithinTheFlushIntervalWithoutAClose() throws Exception {
        Path path = dir.resolve("audit.log");
        try (FileAuditLog log = open(path, FileAuditLog.Rotation.defaults())) {
            log.write(AuditLines.numbered("w", 0));
            await(() -> AuditLines.read(path).endsWith("\n"));
            log.write(AuditLines.numbered("w", 1));
            await(() -> AuditLines.read(path).split("\n").length == 2);
        }
        assertThat(AuditLines.auditIds(AuditLines.read(path))).containsExactly("w-0", "w-1");
    }

    @Test
    void aFullDiskDropsAndCountsEventsButNeverFailsAWriter() throws Exception {
        Path full = Path.of("/dev/full"); // every write fails with "No space left on device"
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full));
        int events = 1_000;
        FileAuditLog log =
                FileAuditLog.open(full, FileAuditLog.Rotation.defaults(), new SettableClock(Instant.now()), FLUSH);
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
            String writer = "t" + t;
            writers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < events / 10; i++) {
                    log.write(AuditLines.numbered(writer, i)); // must not throw
                }
            }));
        }
        for (Thread writer : writers) {
            writer.join();
        }
        log.close();
        assertThat(log.droppedEvents()).isEqualTo(events);
        assertThat(log.outagesReported()).as("logged once").isEqualTo(1);
        log.write(AuditLines.numbered("after-close", 0));
        assertThat(log.droppedEvents()).isEqualTo(events + 1);
    }

    @Test
    void writingResumesWhenTheDirectoryIsBack() throws Exception {
        Path logs = dir.resolve("logs");
        Path path = logs.resolve("audit.log");
        try (FileAuditLog log = open(path, rotateAt(2 * 1024, 0))) {
            log.write(AuditLines.numbered("w", 0));
            await(() -> Files.exists(path) && AuditLines.read(path).endsWith("\n"));
            try (Stream<Path> files = Files.list(logs)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(logs);
            for (int i = 1; i < 20; i++) {
                log.write(AuditLines.numbered("w", i)); // rotation fails, then opening fails: dropped, not thrown
            }
            await(() -> log.droppedEvents() > 0);
            Files.createDirectories(logs);
            log.write(AuditLines.numbered("back", 0));
        }
        assertThat(AuditLines.auditIds(AuditLines.read(path))).endsWith("back-0");
    }

    @Test
    void aLogThatCannotBeOpenedIsRefusedAtStartWithItsPath() throws Exception {
        Path blocker = Files.writeString(dir.resolve("file"), "x");
        Path path = blocker.resolve("audit.log"); // a directory that is a file
        assertThatThrownBy(() -> FileAuditLog.open(path, FileAuditLog.Rotation.defaults()))
                .isInstanceOf(AuditConfigurationException.class)
                .hasMessageContaining("--audit-log-path " + path);
    }

    @Test
    void theStreamLogWritesWholeLinesAndLeavesTheStreamOpen() throws Exception {
        boolean[] closed = {false};
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        StreamAuditLog log = StreamAuditLog.of("test stream", out, FLUSH);
        for (int i = 0; i < 100; i++) {
            log.write(AuditLines.numbered("s", i));
        }
        log.close();
        assertThat(AuditLines.auditIds(out.toString(StandardCharsets.UTF_8))).isEqualTo(ids("s", 0, 100));
        assertThat(closed[0]).isFalse();
    }

    @Test
    void rotationSettingsAreChecked() {
        assertThatThrownBy(() -> new FileAuditLog.Rotation(0, 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FileAuditLog.Rotation(1, -1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(FileAuditLog.Rotation.defaults().maxBytes()).isEqualTo(100L * 1024 * 1024);
        assertThat(Set.of(FileAuditLog.Rotation.defaults().maxBackups())).containsExactly(0);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }
}
