package io.dbprovision.apiserver.storage;

import io.dbprovision.apiserver.storage.sql.SqlBackend;
import io.dbprovision.apiserver.storage.sql.SqlLeaseStore;
import io.dbprovision.apiserver.storage.sql.SqlLog;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Storage} of the API server: writes go through the {@link Committer} into the SQL log; reads and
 * watches are served from the {@link WatchCache}. With a shared backend (PostgreSQL, several replicas) a tailer
 * applies the other replicas' writes in order, and consistent reads first make sure the cache has caught up with the
 * database, which also makes them fail at once when the database is down.
 */
public final class CachingStorage implements Storage {
    private static final Logger LOG = LoggerFactory.getLogger(CachingStorage.class);

    private final SqlBackend backend;
    private final StorageSettings settings;
    private final ValueTransformer values;
    private final WatchCache cache;
    private final ReentrantLock applyLock = new ReentrantLock();
    private final Committer committer;
    private final ScheduledExecutorService timers;
    private final ArrayDeque<long[]> versionSamples = new ArrayDeque<>(); // {epochMillis, resourceVersion}
    private volatile long compactedRv;
    private volatile boolean healthy = true;
    private volatile boolean closed;
    private volatile LeaseStore leases;

    private CachingStorage(SqlBackend backend, StorageSettings settings) {
        this.backend = backend;
        this.settings = settings;
        this.values = settings.values();
        this.cache = new WatchCache(settings.recentChanges(), settings.maxBatch());
        SqlLog.migrate(backend.dsl());
        load();
        this.committer = new Committer(
                backend, values, cache, applyLock, settings.maxBatch(), () -> healthy || !backend.shared(), failure -> {
                    if (backend.shared()) {
                        markUnhealthy(failure);
                    }
                });
        this.timers = Executors.newScheduledThreadPool(
                1, Thread.ofPlatform().name("dbprovision-store-timer").daemon().factory());
        long bookmarkMillis = settings.bookmarkInterval().toMillis();
        timers.scheduleWithFixedDelay(cache::bookmarkAll, bookmarkMillis, bookmarkMillis, TimeUnit.MILLISECONDS);
        long compactMillis = settings.compactionInterval().toMillis();
        timers.scheduleWithFixedDelay(this::compact, compactMillis, compactMillis, TimeUnit.MILLISECONDS);
        if (backend.shared()) {
            long poll = settings.pollInterval().toMillis();
            timers.scheduleWithFixedDelay(this::poll, poll, poll, TimeUnit.MILLISECONDS);
        }
        LOG.info("storage ready: {} at resourceVersion {}, {}", backend.describe(), cache.resourceVersion(), values);
    }

    /**
     * Opens a store, creating its tables on first use, and loads every object into memory. A shared backend that is
     * down at start is retried until it answers. Every stored value is read back through the settings' transformer:
     * one that does not decrypt fails the start with {@link StorageException.Unreadable}, naming the object.
     */
    public static CachingStorage open(SqlBackend backend, StorageSettings settings) {
        try {
            return new CachingStorage(backend, settings);
        } catch (RuntimeException e) {
            // Such as a stored value that does not decrypt: the database must not stay open (and, embedded, locked).
            backend.close();
            throw e;
        }
    }

    private void load() {
        while (true) {
            try {
                SqlLog.Versions versions = SqlLog.versions(backend.dsl());
                List<StoredObject> objects =
                        SqlLog.snapshot(backend.dsl(), values, null, null, versions.current(), null, 0);
                applyLock.lock();
                try {
                    cache.reset(objects, versions.current());
                } finally {
                    applyLock.unlock();
                }
                compactedRv = versions.compacted();
                return;
            } catch (DataAccessException e) {
                if (!backend.shared()) {
                    throw e;
                }
                LOG.warn("storage not reachable yet ({}); retrying", Committer.rootMessage(e));
                sleep(500);
            }
        }
    }

    @Override
    public StoredObject create(ObjectKey key, byte[] value, Attributes attributes) {
        return write(new Committer.Create(key, value, attributes));
    }

    @Override
    public StoredObject update(ObjectKey key, long expectedResourceVersion, byte[] value, Attributes attributes) {
        return write(new Committer.Update(key, expectedResourceVersion, value, attributes));
    }

    @Override
    public StoredObject delete(ObjectKey key, long expectedResourceVersion) {
        return write(new Committer.Delete(key, expectedResourceVersion));
    }

    private StoredObject write(Committer.Write write) {
        ensureOpen();
        try {
            return committer.submit(write).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof StorageException storage) {
                throw storage;
            }
            throw new StorageException.Unavailable("storage write failed", e.getCause());
        }
    }

    @Override
    public Optional<StoredObject> get(ObjectKey key) {
        catchUp();
        return cache.get(key);
    }

    @Override
    public ListResult list(ListOptions options) {
        if (!options.continueToken().isEmpty()) {
            ContinueToken token = ContinueToken.decode(options.continueToken());
            ObjectKey after = new ObjectKey(options.resource(), token.namespace(), token.name());
            return listAt(options, token.resourceVersion(), after);
        }
        return switch (options.match()) {
            case LATEST -> {
                catchUp();
                yield cachedList(options, null);
            }
            case NOT_OLDER_THAN -> {
                ensureOpen();
                requireReached(options.resourceVersion());
                yield cachedList(options, null);
            }
            case EXACT -> listAt(options, options.resourceVersion(), null);
        };
    }

    /** A page of the state at exactly {@code rv}: from the cache if it is still there, else from the log. */
    private ListResult listAt(ListOptions options, long rv, ObjectKey after) {
        ensureOpen();
        var cached =
                cache.listAt(options.resource(), options.namespace(), options.selector(), after, options.limit(), rv);
        if (cached.isPresent()) {
            return cached.get();
        }
        if (rv < compactedRv) {
            throw new StorageException.Expired(rv, compactedRv);
        }
        requireReached(rv);
        return logList(options, rv, after);
    }

    private ListResult cachedList(ListOptions options, ObjectKey after) {
        return cache.list(options.resource(), options.namespace(), options.selector(), after, options.limit());
    }

    /** Reads pages from the log until the page is full, filtering by the selector as storage holds the attributes. */
    private ListResult logList(ListOptions options, long rv, ObjectKey after) {
        List<StoredObject> items = new ArrayList<>();
        int limit = options.limit();
        int chunk = limit > 0 ? Math.max(limit, 100) : 0;
        ObjectKey cursor = after;
        boolean more = true;
        try {
            while (more && (limit == 0 || items.size() <= limit)) {
                List<StoredObject> rows = SqlLog.snapshot(
                        backend.dsl(), values, options.resource(), options.namespace(), rv, cursor, chunk);
                for (StoredObject row : rows) {
                    if (options.selector().matches(row.attributes())) {
                        items.add(row);
                    }
                }
                more = chunk > 0 && rows.size() == chunk;
                if (!rows.isEmpty()) {
                    cursor = rows.getLast().key();
                }
            }
        } catch (DataAccessException e) {
            throw unavailable(e);
        }
        if (rv < compactedRv) {
            throw new StorageException.Expired(rv, compactedRv); // compacted while we read
        }
        String token = "";
        if (limit > 0 && items.size() > limit) {
            items = new ArrayList<>(items.subList(0, limit));
            ObjectKey last = items.getLast().key();
            token = new ContinueToken(rv, last.namespace(), last.name()).encode();
        }
        return new ListResult(items, rv, token, -1);
    }

    /**
     * Fails unless the cache has reached {@code rv}, after catching up with a shared database. Every version a client
     * can have seen is committed and (for the embedded store) in the cache before anyone hears of it, so a newer one
     * was never written here: serving the current state as if it were that version would make a later watch from it
     * skip every change in between. Kubernetes answers "Too large resource version" for the same case.
     */
    private void requireReached(long rv) {
        if (rv <= cache.resourceVersion()) {
            return;
        }
        catchUp();
        long current = cache.resourceVersion();
        if (rv > current) {
            throw new StorageException.TooLargeResourceVersion(rv, current);
        }
    }

    @Override
    public AutoCloseable watch(WatchOptions options, Watcher watcher) {
        // With a shared store the cache first catches up with the database: a watch from a version read on another
        // replica must not replay changes up to it when they arrive later, and with the database down the watch
        // fails at once instead of starting on a cache that is no longer fed.
        catchUp();
        long since = options.sinceResourceVersion();
        requireReached(since);
        // Initial events are the current state, which needs no history: only a replay can be too old.
        if (!options.initialEvents() && since > 0 && since < compactedRv) {
            throw new StorageException.Expired(since, compactedRv);
        }
        Subscription registered = new Subscription(
                options,
                watcher,
                settings.watcherQueue(),
                settings.watcherQueue() + settings.maxBatch(),
                cache::unsubscribe);
        if (cache.subscribe(registered)) {
            return endIfClosed(registered);
        }
        long replayedUpTo = since;
        List<WatchEvent> replayed = new ArrayList<>();
        while (true) {
            long upTo = cache.resourceVersion();
            try {
                for (Change change : SqlLog.changes(backend.dsl(), values, replayedUpTo, upTo)) {
                    if (registered.inScope(change.key())) {
                        WatchEvent event = change.eventFor(options.selector());
                        if (event != null) {
                            replayed.add(event);
                        }
                    }
                }
            } catch (DataAccessException e) {
                throw unavailable(e);
            }
            replayedUpTo = upTo;
            if (since < compactedRv) { // compacted while we read
                throw new StorageException.Expired(since, compactedRv);
            }
            if (cache.subscribeAfterReplay(registered, replayed, replayedUpTo)) {
                return endIfClosed(registered);
            }
        }
    }

    /**
     * Ends a watch that registered while the store was closing: close() sets {@code closed} before it ends every
     * watch, so a watch that registered too late for that sees the flag here instead of waiting forever.
     */
    private Subscription endIfClosed(Subscription subscription) {
        if (closed) {
            subscription.end(null);
        }
        return subscription;
    }

    @Override
    public long currentResourceVersion() {
        catchUp();
        return cache.resourceVersion();
    }

    @Override
    public boolean isHealthy() {
        return healthy && !closed;
    }

    /**
     * Makes the cache at least as new as the database: a no-op for the embedded store (every write goes through
     * this process), a query for a shared one. Throws Unavailable when the database does not answer.
     */
    private void catchUp() {
        ensureOpen();
        if (!backend.shared()) {
            return;
        }
        try {
            long current = SqlLog.versions(backend.dsl()).current();
            if (current > cache.resourceVersion()) {
                applyUpTo(current);
            }
            markHealthy();
        } catch (DataAccessException e) {
            markUnhealthy(e);
            throw unavailable(e);
        } catch (StorageException.Unreadable e) {
            markUnhealthy(e);
            throw e;
        }
    }

    private void poll() {
        if (closed) {
            return;
        }
        try {
            SqlLog.Versions versions = SqlLog.versions(backend.dsl());
            compactedRv = versions.compacted();
            if (versions.current() > cache.resourceVersion()) {
                applyUpTo(versions.current());
            }
            markHealthy();
        } catch (DataAccessException e) {
            markUnhealthy(e);
        } catch (StorageException.Unreadable e) {
            // Another replica wrote a value this one cannot read (its encryption configuration lacks the key): this
            // replica cannot follow the store, so it reports itself not ready, once, instead of logging every poll.
            markUnhealthy(e);
        } catch (RuntimeException e) {
            LOG.error("storage poll failed", e);
        }
    }

    private void applyUpTo(long current) {
        applyLock.lock();
        try {
            long from = cache.resourceVersion();
            if (current <= from) {
                return;
            }
            if (from < compactedRv) {
                // Offline for longer than the history window: the changes are gone, reload the whole state.
                SqlLog.Versions versions = SqlLog.versions(backend.dsl());
                cache.endAll(new StorageException.Expired(from, versions.compacted()));
                cache.reset(
                        SqlLog.snapshot(backend.dsl(), values, null, null, versions.current(), null, 0),
                        versions.current());
                return;
            }
            cache.apply(SqlLog.changes(backend.dsl(), values, from, current));
        } finally {
            applyLock.unlock();
        }
    }

    private void markHealthy() {
        if (!healthy) {
            LOG.info("storage is reachable again: {}", backend.describe());
            healthy = true;
        }
    }

    private void markUnhealthy(DataAccessException e) {
        markUnhealthy(Committer.rootMessage(e), unavailable(e));
    }

    private void markUnhealthy(StorageException.Unreadable e) {
        markUnhealthy(e.getMessage(), new StorageException.Unavailable(e.getMessage(), e));
    }

    private void markUnhealthy(String reason, StorageException.Unavailable cause) {
        if (healthy) {
            healthy = false;
            LOG.warn("storage is unavailable: {}", reason);
            cache.endAll(cause);
        }
    }

    private static StorageException.Unavailable unavailable(DataAccessException e) {
        return new StorageException.Unavailable("storage is unavailable: " + Committer.rootMessage(e), e);
    }

    /** Drops history older than the window; reads of versions before the new compacted version get Expired. */
    private void compact() {
        if (closed) {
            return;
        }
        try {
            long now = System.currentTimeMillis();
            versionSamples.addLast(new long[] {now, cache.resourceVersion()});
            long cutoff = now - settings.historyWindow().toMillis();
            long target = 0;
            while (!versionSamples.isEmpty() && versionSamples.getFirst()[0] <= cutoff) {
                target = versionSamples.removeFirst()[1];
            }
            if (target > compactedRv) {
                int removed = SqlLog.compact(backend.dsl(), target);
                compactedRv = target;
                LOG.debug("compacted storage to resourceVersion {} ({} rows) at {}", target, removed, Instant.now());
            }
        } catch (DataAccessException e) {
            LOG.warn("storage compaction failed: {}", Committer.rootMessage(e));
        } catch (RuntimeException e) {
            LOG.error("storage compaction failed", e);
        }
    }

    /** Compacts now up to {@code rv} (tests and operators). */
    public void compactTo(long rv) {
        SqlLog.compact(backend.dsl(), rv);
        compactedRv = Math.max(compactedRv, rv);
    }

    /**
     * The live objects whose value is stored in another form than a write would store it now: written under an older
     * key or provider of the encryption configuration ({@link ValueTransformer#isStale}). Reads the stored forms from
     * the log at the current version, a page at a time, for each resource the transformer covers; the encryption
     * rewriter rewrites what this finds.
     *
     * @param limit most objects to return (0: all)
     */
    public List<StoredVersion> staleAtRest(int limit) {
        catchUp();
        long rv = cache.resourceVersion();
        List<StoredVersion> stale = new ArrayList<>();
        try {
            for (String resource : cache.resources()) {
                if (!values.transforms(resource)) {
                    continue;
                }
                ObjectKey after = null;
                while (true) {
                    List<StoredObject> page = SqlLog.storedForms(backend.dsl(), resource, rv, after, 500);
                    for (StoredObject stored : page) {
                        if (values.isStale(stored.key(), stored.value())) {
                            stale.add(new StoredVersion(stored.key(), stored.resourceVersion()));
                            if (limit > 0 && stale.size() >= limit) {
                                return stale;
                            }
                        }
                    }
                    if (page.size() < 500) {
                        break;
                    }
                    after = page.getLast().key();
                }
            }
        } catch (DataAccessException e) {
            throw unavailable(e);
        }
        return stale;
    }

    /**
     * The leases of a shared store, for leader election among the replicas that share it; none for the embedded
     * store, which one process has to itself.
     */
    public Optional<LeaseStore> leases() {
        if (!backend.shared()) {
            return Optional.empty();
        }
        if (leases == null) {
            leases = new SqlLeaseStore(backend.dsl(), backend.describe());
        }
        return Optional.of(leases);
    }

    /** An object at a version: what {@link #staleAtRest} finds and a rewrite's precondition. */
    public record StoredVersion(ObjectKey key, long resourceVersion) {}

    int watcherCount() {
        return cache.watcherCount();
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException.Unavailable("storage is closed", null);
        }
        if (!healthy && backend.shared()) {
            // Fail at once: the poller, every pollInterval, notices when the database is back. Checking here
            // would make every request of an outage wait out the connection timeout.
            throw new StorageException.Unavailable("storage is unavailable: " + backend.describe(), null);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException.Unavailable("interrupted", e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        committer.close();
        timers.shutdownNow();
        cache.endAll(null);
        backend.close();
    }
}
