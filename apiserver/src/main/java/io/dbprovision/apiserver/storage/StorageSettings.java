package io.dbprovision.apiserver.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of a store, and how it keeps values at rest.
 *
 * @param recentChanges changes kept in memory for watches that resume from a recent version
 * @param historyWindow how long changes stay readable (watch and list from old versions); older ones are compacted
 * @param compactionInterval how often compaction runs
 * @param pollInterval how often a replica sharing the store looks for other replicas' writes
 * @param bookmarkInterval how often watchers that asked for bookmarks get one
 * @param watcherQueue events a watcher may have waiting when a batch of changes arrives; one with more that took
 *     nothing since the previous batch is cut off as stuck, and one with more than {@code watcherQueue + maxBatch}
 *     waiting is cut off as too slow
 * @param maxBatch most writes committed in one transaction (group commit)
 * @param fsync force every commit to disk before acknowledging it (the embedded store; PostgreSQL decides itself)
 * @param values how values are stored in the log: {@link ValueTransformer#NONE} (as written), or encrypted for the
 *     resources an encryption configuration names (see {@link #withEncryption})
 */
public record StorageSettings(
        int recentChanges,
        Duration historyWindow,
        Duration compactionInterval,
        Duration pollInterval,
        Duration bookmarkInterval,
        int watcherQueue,
        int maxBatch,
        boolean fsync,
        ValueTransformer values) {

    public StorageSettings {
        Objects.requireNonNull(values, "values");
    }

    public static StorageSettings defaults() {
        return new StorageSettings(
                20_000,
                Duration.ofMinutes(5),
                Duration.ofMinutes(1),
                Duration.ofMillis(25),
                Duration.ofSeconds(30),
                1_000,
                1_000,
                true,
                ValueTransformer.NONE);
    }

    public StorageSettings withHistoryWindow(Duration window, Duration interval) {
        return new StorageSettings(
                recentChanges, window, interval, pollInterval, bookmarkInterval, watcherQueue, maxBatch, fsync, values);
    }

    public StorageSettings withRecentChanges(int count) {
        return new StorageSettings(
                count,
                historyWindow,
                compactionInterval,
                pollInterval,
                bookmarkInterval,
                watcherQueue,
                maxBatch,
                fsync,
                values);
    }

    public StorageSettings withBookmarkInterval(Duration interval) {
        return new StorageSettings(
                recentChanges,
                historyWindow,
                compactionInterval,
                pollInterval,
                interval,
                watcherQueue,
                maxBatch,
                fsync,
                values);
    }

    public StorageSettings withWatcherQueue(int size) {
        return new StorageSettings(
                recentChanges,
                historyWindow,
                compactionInterval,
                pollInterval,
                bookmarkInterval,
                size,
                maxBatch,
                fsync,
                values);
    }

    public StorageSettings withFsync(boolean on) {
        return new StorageSettings(
                recentChanges,
                historyWindow,
                compactionInterval,
                pollInterval,
                bookmarkInterval,
                watcherQueue,
                maxBatch,
                on,
                values);
    }

    /**
     * Encryption at rest: values of the resources {@code transformer} covers are stored in its form (for an
     * {@code EncryptionConfiguration}, {@code EncryptionConfiguration.load(file).transformer()}); the watch cache and
     * every caller still see them as written.
     */
    public StorageSettings withEncryption(ValueTransformer transformer) {
        return new StorageSettings(
                recentChanges,
                historyWindow,
                compactionInterval,
                pollInterval,
                bookmarkInterval,
                watcherQueue,
                maxBatch,
                fsync,
                transformer);
    }
}
