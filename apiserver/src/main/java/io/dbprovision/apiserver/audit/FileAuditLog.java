package io.dbprovision.apiserver.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log in a file ({@code --audit-log-path}), rotated by size as Kubernetes' log backend (lumberjack) does:
 * when a line would take the file past {@code maxBytes}, the file is renamed to {@code <name>-<time>.<ext>} (e.g.
 * {@code audit-2025-01-31T08-15-42.123.log}, the time of the rotation in UTC) and a new file is started. After each
 * rotation, and when the log is opened, old files beyond the newest {@code maxBackups} and those older than
 * {@code maxAge} (by the time in their name) are deleted, in the background.
 *
 * <p>A new file is created readable and writable by the server's user only (0600), its directory (if it has to be
 * created) 0700; a file that replaces a rotated one keeps the permissions the rotated one had, so that an operator who
 * opened a file up for a log shipper's group keeps it so. Buffering and failures: see {@link BufferedAuditLog}.
 */
public final class FileAuditLog extends BufferedAuditLog {
    private static final Logger LOG = LoggerFactory.getLogger(FileAuditLog.class);
    private static final DateTimeFormatter BACKUP_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH-mm-ss.SSS").withZone(ZoneOffset.UTC);
    private static final Duration ROTATION_RETRY = Duration.ofSeconds(1);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    /**
     * When files rotate and how many are kept.
     *
     * @param maxBytes the size past which a file is rotated
     * @param maxBackups how many rotated files are kept, newest first; 0 keeps all
     * @param maxAge how long a rotated file is kept; zero keeps them regardless of age
     */
    public record Rotation(long maxBytes, int maxBackups, Duration maxAge) {
        /** Lumberjack's size when none is given, which Kubernetes inherits: 100 MiB. */
        public static final long DEFAULT_MAX_BYTES = 100L * 1024 * 1024;

        public Rotation {
            if (maxBytes <= 0) {
                throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
            }
            if (maxBackups < 0) {
                throw new IllegalArgumentException("maxBackups must not be negative: " + maxBackups);
            }
            if (maxAge.isNegative()) {
                throw new IllegalArgumentException("maxAge must not be negative: " + maxAge);
            }
        }

        /** Kubernetes' defaults: rotate at 100 MiB, keep every rotated file. */
        public static Rotation defaults() {
            return new Rotation(DEFAULT_MAX_BYTES, 0, Duration.ZERO);
        }
    }

    private final Path path;
    private final Rotation rotation;
    private final Clock clock;
    private final String prefix;
    private final String extension;
    private final ExecutorService cleaner = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("audit-log-cleaner").factory());
    private FileChannel channel;
    private long size;
    private Set<PosixFilePermission> permissions = OWNER_ONLY;
    private Instant lastBackupTime = Instant.EPOCH;
    /** After a rotation failed, the next is not tried before this {@link System#nanoTime()}: not on every line. */
    private long noRotationBefore = System.nanoTime();

    private FileAuditLog(Path path, Rotation rotation, Clock clock, Duration flushInterval) {
        super(path.toString(), flushInterval);
        this.path = path;
        this.rotation = rotation;
        this.clock = clock;
        String fileName = path.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        this.prefix = (dot < 0 ? fileName : fileName.substring(0, dot)) + "-";
        this.extension = dot < 0 ? "" : fileName.substring(dot);
    }

    /**
     * Opens (creating it if needed) the log at {@code path}, appending to what it holds.
     *
     * @throws AuditConfigurationException if the file cannot be opened: the server should not start without the audit
     *     log it was asked for
     */
    public static FileAuditLog open(Path path, Rotation rotation) {
        return open(path, rotation, Clock.systemUTC(), DEFAULT_FLUSH_INTERVAL);
    }

    static FileAuditLog open(Path path, Rotation rotation, Clock clock, Duration flushInterval) {
        Path absolute = path.toAbsolutePath().normalize();
        if (absolute.getFileName() == null) {
            throw new AuditConfigurationException("--audit-log-path " + path + ": names no file");
        }
        FileAuditLog log = new FileAuditLog(absolute, rotation, clock, flushInterval);
        try {
            Path directory = absolute.getParent();
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory, permissionsAttribute(OWNER_ONLY_DIRECTORY));
            }
            log.openFile();
            log.warnIfReadableByOthers();
        } catch (IOException | RuntimeException e) {
            log.cleaner.shutdownNow();
            throw new AuditConfigurationException("--audit-log-path " + path + ": cannot open it: " + e, e);
        }
        log.scheduleCleanup();
        log.startFlusher();
        return log;
    }

    public Path path() {
        return path;
    }

    @Override
    void beforeAppend(int length) {
        long logicalSize = size + bufferedBytes();
        if (logicalSize > 0
                && logicalSize + length > rotation.maxBytes()
                && System.nanoTime() - noRotationBefore >= 0) {
            flushBuffer();
            rotate();
        }
    }

    @Override
    void writeOut(ByteBuffer bytes) throws IOException {
        try {
            if (channel == null) {
                openFile(); // after a failure, or a rotation that could not open the new file
            }
            while (bytes.hasRemaining()) {
                size += channel.write(bytes);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    @Override
    void closeOutput() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    @Override
    void afterClose() {
        cleaner.shutdown();
        try {
            if (!cleaner.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("audit log {}: removing old rotated files takes longer than 30 s; left to finish", path);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void openFile() throws IOException {
        Set<OpenOption> options =
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        boolean endsMidLine = endsWithoutNewline();
        channel = FileChannel.open(path, options, permissionsAttribute(permissions));
        size = channel.size();
        if (endsMidLine) {
            // a line cut short by an earlier failure (or a crash of the machine): end it, so the next one stays whole
            ByteBuffer newline = ByteBuffer.wrap(new byte[] {'\n'});
            while (newline.hasRemaining()) {
                size += channel.write(newline);
            }
        }
    }

    private void warnIfReadableByOthers() {
        Set<PosixFilePermission> current = currentPermissions();
        if (current.contains(PosixFilePermission.OTHERS_READ) || current.contains(PosixFilePermission.OTHERS_WRITE)) {
            LOG.warn(
                    "audit log {}: the file is {} (readable or writable by every user); it names who did what, so"
                            + " 0600 or 0640 is advised",
                    path,
                    PosixFilePermissions.toString(current));
        }
    }

    private boolean endsWithoutNewline() throws IOException {
        try (FileChannel reader = FileChannel.open(path, StandardOpenOption.READ)) {
            long length = reader.size();
            if (length == 0) {
                return false;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            reader.read(last, length - 1);
            return last.get(0) != '\n';
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private void rotate() {
        try {
            closeOutput();
        } catch (IOException e) {
            reportFailure("closing the file to rotate it failed", e);
        }
        Path backup = path.resolveSibling(prefix + BACKUP_TIME.format(nextBackupTime()) + extension);
        try {
            permissions = currentPermissions();
            Files.move(path, backup);
        } catch (IOException e) {
            // keep writing to the file as it is: a file larger than asked beats lost events
            reportFailure("cannot rotate it to " + backup.getFileName(), e);
            noRotationBefore = System.nanoTime() + ROTATION_RETRY.toNanos();
        }
        try {
            openFile();
        } catch (IOException e) {
            closeQuietly(); // the next write tries again, and counts its events if it cannot
            reportFailure("cannot open it after rotating", e);
        }
        scheduleCleanup();
    }

    /** The rotation time, later than every earlier one, so that two rotations in one millisecond do not collide. */
    private Instant nextBackupTime() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant time = now.isAfter(lastBackupTime) ? now : lastBackupTime.plusMillis(1);
        while (Files.exists(path.resolveSibling(prefix + BACKUP_TIME.format(time) + extension))) {
            time = time.plusMillis(1);
        }
        lastBackupTime = time;
        return time;
    }

    private Set<PosixFilePermission> currentPermissions() {
        try {
            return Files.getPosixFilePermissions(path);
        } catch (IOException | UnsupportedOperationException e) {
            return OWNER_ONLY;
        }
    }

    private void scheduleCleanup() {
        if (rotation.maxBackups() == 0 && rotation.maxAge().isZero()) {
            return;
        }
        try {
            cleaner.execute(this::removeOldBackups);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the next start cleans up
        }
    }

    /** A rotated file of this log and the time in its name. */
    private record Backup(Path path, Instant time) {}

    private void removeOldBackups() {
        List<Backup> backups = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(path.getParent())) {
            for (Path file : files) {
                Instant time = backupTime(file.getFileName().toString());
                if (time != null) {
                    backups.add(new Backup(file, time));
                }
            }
        } catch (IOException e) {
            LOG.warn("audit log {}: cannot list rotated files to remove old ones: {}", path, e.toString());
            return;
        }
        backups.sort(Comparator.comparing(Backup::time).reversed());
        Instant oldestKept =
                rotation.maxAge().isZero() ? Instant.MIN : clock.instant().minus(rotation.maxAge());
        for (int i = 0; i < backups.size(); i++) {
            Backup backup = backups.get(i);
            boolean tooMany = rotation.maxBackups() > 0 && i >= rotation.maxBackups();
            if (tooMany || backup.time().isBefore(oldestKept)) {
                try {
                    Files.deleteIfExists(backup.path());
                } catch (IOException e) {
                    LOG.warn(
                            "audit log {}: cannot remove the old rotated file {}: {}",
                            path,
                            backup.path(),
                            e.toString());
                }
            }
        }
    }

    private Instant backupTime(String fileName) {
        if (!fileName.startsWith(prefix)
                || !fileName.endsWith(extension)
                || fileName.length() <= prefix.length() + extension.length()) {
            return null;
        }
        String time = fileName.substring(prefix.length(), fileName.length() - extension.length());
        try {
            return BACKUP_TIME.parse(time, Instant::from);
        } catch (DateTimeParseException e) {
            return null; // another file that merely looks alike: never ours to delete
        }
    }

    private void closeQuietly() {
        try {
            closeOutput();
        } catch (IOException ignored) {
            // the channel is unusable either way
        }
    }

    private static FileAttribute<?>[] permissionsAttribute(Set<PosixFilePermission> permissions) {
        if (!supportsPosix()) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)};
    }

    private static boolean supportsPosix() {
        return java.nio.file.FileSystems.getDefault()
                .supportedFileAttributeViews()
                .contains("posix");
    }

    @Override
    public String toString() {
        return "FileAuditLog(" + path + ")";
    }
}
