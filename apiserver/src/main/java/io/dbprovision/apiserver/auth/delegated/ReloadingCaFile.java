package io.dbprovision.apiserver.auth.delegated;

import io.dbprovision.apiserver.auth.CaBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CA file given by a flag ({@code --client-ca-file}, {@code --requestheader-client-ca-file}), read again when it
 * changes, as k8s.io/apiserver's dynamic CA content does: a mounted Secret or ConfigMap is rotated in place. Checks
 * the file's modification time at most once per interval, on the request path, so the cost is a stat now and then.
 * A changed file that cannot be read keeps the previous CAs (logged): a half-written file never locks everyone out.
 */
final class ReloadingCaFile implements Supplier<CaBundle> {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingCaFile.class);

    private final Path file;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private volatile CaBundle bundle;
    private volatile FileTime modified;
    private volatile long checkedAt;

    /** Reads {@code file} now: a file that cannot be read stops the server from starting. */
    ReloadingCaFile(Path file, Duration interval, LongSupplier nanoTime) {
        this.file = file;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        this.modified = modifiedTime();
        this.bundle = CaBundle.read(file);
        if (bundle.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no certificate");
        }
        this.checkedAt = nanoTime.getAsLong();
    }

    @Override
    public CaBundle get() {
        long now = nanoTime.getAsLong();
        if (now - checkedAt >= intervalNanos) {
            checkedAt = now;
            reloadIfChanged();
        }
        return bundle;
    }

    private synchronized void reloadIfChanged() {
        FileTime now = modifiedTime();
        if (now == null || now.equals(modified)) {
            return;
        }
        try {
            CaBundle fresh = CaBundle.read(file);
            if (fresh.isEmpty()) {
                throw new IllegalArgumentException("no certificate");
            }
            bundle = fresh;
            modified = now;
            LOG.info(
                    "CA file {} changed: {} certificate(s) now trusted",
                    file,
                    fresh.certificates().size());
        } catch (IllegalArgumentException e) {
            LOG.warn("CA file {} changed but cannot be used ({}); keeping the previous CAs", file, e.getMessage());
        }
    }

    private FileTime modifiedTime() {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }
}
