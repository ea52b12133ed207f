package io.dbprovision.apiserver.storage;

import static io.dbprovision.apiserver.storage.StorageContractTest.await;
import static io.dbprovision.apiserver.storage.StorageContractTest.bytes;
import static io.dbprovision.apiserver.storage.StorageContractTest.db;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.storage.StorageContractTest.Recorder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When a watcher is cut off, driven batch by batch so that no thread's timing decides it (the contract suite shows
 * the same through a store, with a watcher that blocks).
 */
class WatchCacheTest {
    private static final int BACKLOG = 4;
    private static final int MAX_BATCH = 10;

    private final WatchCache cache = new WatchCache(100, MAX_BATCH);
    private final Semaphore permits = new Semaphore(0);
    private final Semaphore entered = new Semaphore(0);
    /** Takes an event off its queue, then waits for a permit to deliver it. */
    private final Recorder watcher = new Recorder() {
        @Override
        public void onEvent(WatchEvent event) {
            entered.release();
            try {
                permits.tryAcquire(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.onEvent(event);
        }
    };

    private final Subscription subscription = new Subscription(
            WatchOptions.from(StorageContractTest.DATABASES, 0),
            watcher,
            BACKLOG,
            BACKLOG + MAX_BATCH,
            cache::unsubscribe);
    private long rv;

    @Test
    void aBatchLargerThanTheBacklogIsHandedOverWhole() throws Exception {
        cache.subscribe(subscription);

        cache.apply(batch(MAX_BATCH)); // while the watcher takes nothing
        permits.release(MAX_BATCH);

        watcher.awaitVersion(rv);
        assertThat(watcher.events()).hasSize(MAX_BATCH);
        assertThat(watcher.closed()).isFalse();
    }

    @Test
    void aWatcherThatTookNothingSinceTheLastBatchIsCutOffWhenMoreThanItsBacklogWaits() throws Exception {
        cache.subscribe(subscription);
        cache.apply(batch(BACKLOG + 1));
        assertThat(entered.tryAcquire(30, TimeUnit.SECONDS)).isTrue(); // took the first; BACKLOG wait
        cache.apply(batch(1)); // exactly the backlog waited: fine
        assertThat(watcher.closed()).isFalse();

        cache.apply(batch(1)); // more than the backlog waits, and nothing was taken since the last batch

        permits.release(100);
        assertThat(watcher.awaitClose())
                .isInstanceOf(StorageException.FellBehind.class)
                .hasMessageContaining("too far behind");
        assertThat(watcher.events()).hasSize(1);
        await("the cut-off watch to leave the cache", () -> cache.watcherCount() == 0);
    }

    @Test
    void aWatcherThatKeepsTakingButFallsEverFurtherBehindIsCutOffAtTheCeiling() throws Exception {
        cache.subscribe(subscription);
        int batches = 0;
        while (!watcher.closed() && batches < 10) {
            cache.apply(batch(MAX_BATCH - 3));
            batches++;
            // Two events a batch of seven: the watcher makes progress, yet the backlog grows by five a batch.
            int delivered = 2 * batches;
            permits.release(2);
            await("two more events", () -> watcher.events().size() >= delivered || watcher.closed());
        }
        permits.release(1_000);

        assertThat(watcher.awaitClose())
                .isInstanceOf(StorageException.FellBehind.class)
                .hasMessageContaining("(15 events waiting)");
        assertThat(batches).isEqualTo(3); // past the ceiling of 14 on the third batch, never stuck before
    }

    /**
     * The store answers its writers between applying a batch and feeding it to the watchers. A watch registered in
     * between has the batch in its initial events already: the feed must not hand it over again, and a watch
     * registered before must not be told by a bookmark that it has seen what it has not been fed yet.
     */
    @Test
    void aWatchRegisteredBetweenApplyAndFeedSeesEachChangeOnceAndBookmarksWaitForTheFeed() throws Exception {
        cache.apply(batch(1));
        long before = rv;
        Recorder early = new Recorder();
        subscribeWithBookmarks(early, before);

        List<Change> applied = batch(3);
        cache.applyState(applied); // readable now, not fed yet
        Recorder late = new Recorder();
        subscribeWithBookmarks(late, before);
        late.awaitVersion(rv); // its initial events: the three changes
        cache.bookmarkAll();
        cache.feed(applied);
        cache.apply(batch(1));
        cache.bookmarkAll();

        early.awaitVersion(rv);
        late.awaitVersion(rv);
        List<String> expected = List.of(
                "ADDED team-a/o" + (before + 1) + "@" + (before + 1),
                "ADDED team-a/o" + (before + 2) + "@" + (before + 2),
                "ADDED team-a/o" + (before + 3) + "@" + (before + 3),
                "ADDED team-a/o" + (before + 4) + "@" + (before + 4));
        assertThat(late.changes()).isEqualTo(expected);
        assertThat(early.changes()).isEqualTo(expected);
        for (Recorder watch : List.of(early, late)) {
            long seen = before;
            for (WatchEvent event : watch.events()) {
                assertThat(event.resourceVersion())
                        .as("%s: no event or bookmark goes back", watch.summary())
                        .isGreaterThanOrEqualTo(seen);
                seen = event.resourceVersion();
            }
        }
    }

    private void subscribeWithBookmarks(Recorder recorder, long from) {
        cache.subscribe(new Subscription(
                WatchOptions.from(StorageContractTest.DATABASES, from).withBookmarks(),
                recorder,
                BACKLOG,
                BACKLOG + MAX_BATCH,
                cache::unsubscribe));
    }

    private List<Change> batch(int size) {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            rv++;
            changes.add(new Change(
                    new StoredObject(db("team-a", "o" + rv), rv, bytes("x"), Attributes.EMPTY), false, 0, null));
        }
        return changes;
    }
}
