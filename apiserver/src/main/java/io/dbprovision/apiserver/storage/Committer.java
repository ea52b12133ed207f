package io.dbprovision.apiserver.storage;

import io.dbprovision.apiserver.storage.sql.SqlBackend;
import io.dbprovision.apiserver.storage.sql.SqlLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of a store. Writes queue up while a transaction commits and the next transaction takes all of
 * them (group commit): one commit and one fsync for the batch, resourceVersions assigned in queue order, every
 * precondition checked against the cache while the store's counter row is locked. Only after the commit (and the
 * fsync) are the changes applied to the cache and the writers acknowledged, so an acknowledged write is durable and
 * visible to every later read. The watchers are fed right after the writers are answered, not before: a write's
 * latency does not grow with the number of watchers.
 */
final class Committer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Committer.class);

    sealed interface Write permits Create, Update, Delete {
        ObjectKey key();
    }

    record Create(ObjectKey key, byte[] value, Attributes attributes) implements Write {}

    record Update(ObjectKey key, long expectedRv, byte[] value, Attributes attributes) implements Write {}

    record Delete(ObjectKey key, long expectedRv) implements Write {}

    private record Pending(Write write, CompletableFuture<StoredObject> result) {}

    private final SqlBackend backend;
    private final ValueTransformer values;
    private final WatchCache cache;
    private final Lock applyLock;
    private final int maxBatch;
    private final java.util.function.BooleanSupplier available;
    private final java.util.function.Consumer<DataAccessException> onFailure;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(100_000);
    private final Thread thread;
    private volatile boolean closed;

    /**
     * Whether the next commit reads (and locks) the log's current version instead of taking the cache's. Always for
     * a shared database, where other replicas write too. An embedded store has one writer, this thread, so after a
     * commit the cache's version is the log's and reading it again only costs: a fifth of a lone write's commit
     * (a query parsed, planned and run in the writer's critical path). Read once at start and after any failed
     * commit, when the two might differ.
     */
    private boolean readCurrent = true;

    /**
     * @param available false while a shared database is known to be down: writes then fail at once
     * @param onFailure told when a commit fails for the database (so the store can report it unavailable)
     */
    Committer(
            SqlBackend backend,
            ValueTransformer values,
            WatchCache cache,
            Lock applyLock,
            int maxBatch,
            java.util.function.BooleanSupplier available,
            java.util.function.Consumer<DataAccessException> onFailure) {
        this.backend = backend;
        this.values = values;
        this.cache = cache;
        this.applyLock = applyLock;
        this.maxBatch = maxBatch;
        this.available = available;
        this.onFailure = onFailure;
        this.thread =
                Thread.ofPlatform().name("dbprovision-store-committer").daemon().start(this::run);
    }

    CompletableFuture<StoredObject> submit(Write write) {
        CompletableFuture<StoredObject> result = new CompletableFuture<>();
        Pending pending = new Pending(write, result);
        if (closed) {
            result.completeExceptionally(new StorageException.Unavailable("storage is shutting down", null));
        } else if (!queue.offer(pending)) {
            result.completeExceptionally(new StorageException.Unavailable("too many writes are waiting", null));
        } else if (closed) {
            // close() may have come between the check and the offer, after the writer thread's last look at the
            // queue: once that thread is gone nobody else would complete this write, and its caller would wait
            // forever.
            awaitThread();
            if (queue.remove(pending)) {
                result.completeExceptionally(new StorageException.Unavailable("storage is shutting down", null));
            }
        }
        return result;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.error("storage commit failed unexpectedly", e);
                fail(batch, new StorageException.Unavailable("storage write failed: " + e.getMessage(), e));
            } finally {
                batch.clear();
            }
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        fail(left, new StorageException.Unavailable("storage is shutting down", null));
    }

    private void commit(List<Pending> batch) {
        if (!available.getAsBoolean()) {
            StorageException.Unavailable down = new StorageException.Unavailable("storage is unavailable", null);
            fail(batch, down);
            List<Pending> waiting = new ArrayList<>();
            queue.drainTo(waiting);
            fail(waiting, down);
            return;
        }
        List<Change> changes = new ArrayList<>(batch.size());
        Map<Pending, Object> outcomes = new HashMap<>();
        boolean committed = false;
        CommitEvent event = new CommitEvent();
        event.begin();
        long started = System.nanoTime();
        applyLock.lock();
        try {
            try {
                backend.dsl().transaction(tx -> {
                    changes.clear();
                    outcomes.clear();
                    long rv = readCurrent ? SqlLog.lockCurrent(tx.dsl()) : cache.resourceVersion();
                    if (rv > cache.resourceVersion()) {
                        cache.apply(SqlLog.changes(
                                tx.dsl(), values, cache.resourceVersion(), rv)); // other replicas' writes
                    }
                    Map<ObjectKey, StoredObject> overlay = new HashMap<>(); // this batch's writes, null = deleted
                    for (Pending pending : batch) {
                        Write write = pending.write();
                        StoredObject current = overlay.containsKey(write.key())
                                ? overlay.get(write.key())
                                : cache.get(write.key()).orElse(null);
                        try {
                            Change change = apply(write, current, rv + 1);
                            rv++;
                            changes.add(change);
                            overlay.put(write.key(), change.deleted() ? null : change.object());
                            outcomes.put(pending, change.object());
                        } catch (StorageException e) {
                            outcomes.put(pending, e);
                        }
                    }
                    SqlLog.append(tx.dsl(), values, changes);
                });
                committed = true;
                readCurrent = backend.shared();
                backend.syncAfterCommit();
            } catch (DataAccessException e) {
                readCurrent = true; // whatever the database holds now, the next commit starts from it
                if (committed) {
                    cache.apply(changes); // in the database, only its fsync failed: the cache must not fall behind
                }
                onFailure.accept(e);
                StorageException.Unavailable cause =
                        new StorageException.Unavailable("storage is unavailable: " + rootMessage(e), e);
                fail(batch, cause);
                // The writes that queued up meanwhile would each wait out the same connection timeout in turn,
                // which is how a write came to fail only after 1.5 s; they fail now with the same cause instead.
                List<Pending> waiting = new ArrayList<>();
                queue.drainTo(waiting);
                fail(waiting, cause);
                return;
            }
            // Durable and readable: the writers are answered now, the watchers fed after (still under the apply
            // lock, so that feeds keep the order of the applies). A thousand watchers used to be fed first, and the
            // writers waited for it: over HTTP the writer's own request took twice as long as the store's commit.
            long durable = System.nanoTime();
            cache.applyState(changes);
            answer(batch, outcomes);
            long answered = System.nanoTime();
            cache.feed(changes);
            if (event.shouldCommit()) {
                event.writes = batch.size();
                event.watchers = cache.watcherCount();
                event.durable = durable - started;
                event.feed = System.nanoTime() - answered;
                event.commit();
            }
        } finally {
            applyLock.unlock();
        }
    }

    private static void answer(List<Pending> batch, Map<Pending, Object> outcomes) {
        for (Pending pending : batch) {
            Object outcome = outcomes.get(pending);
            if (outcome instanceof StorageException e) {
                pending.result().completeExceptionally(e);
            } else {
                pending.result().complete((StoredObject) outcome);
            }
        }
    }

    private static Change apply(Write write, StoredObject current, long rv) {
        return switch (write) {
            case Create create -> {
                if (current != null) {
                    throw new StorageException.AlreadyExists(create.key());
                }
                yield new Change(
                        new StoredObject(create.key(), rv, create.value(), create.attributes()), false, 0, null);
            }
            case Update update -> {
                check(update.key(), update.expectedRv(), current);
                yield new Change(
                        new StoredObject(update.key(), rv, update.value(), update.attributes()),
                        false,
                        current.resourceVersion(),
                        current.attributes());
            }
            case Delete delete -> {
                check(delete.key(), delete.expectedRv(), current);
                yield new Change(
                        new StoredObject(delete.key(), rv, current.value(), current.attributes()),
                        true,
                        current.resourceVersion(),
                        current.attributes());
            }
        };
    }

    private static void check(ObjectKey key, long expectedRv, StoredObject current) {
        if (current == null) {
            throw new StorageException.NotFound(key);
        }
        if (expectedRv != 0 && expectedRv != current.resourceVersion()) {
            throw new StorageException.Conflict(key, expectedRv, current.resourceVersion());
        }
    }

    private static void fail(List<Pending> batch, StorageException cause) {
        for (Pending pending : batch) {
            pending.result().completeExceptionally(cause);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    @Override
    public void close() {
        closed = true;
        awaitThread();
    }

    private void awaitThread() {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
