package io.dbprovision.apiserver.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.auth.delegated.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The queue's rules, driven by hand as a worker would: take, done, add. */
class WorkQueueTest {
    private static final Duration NOTHING = Duration.ofMillis(50);
    private static final Duration LONG = Duration.ofSeconds(10);
    private static final Backoff FAST = new Backoff(Duration.ofMillis(10), Duration.ofMillis(40), 0, () -> 0);

    private final List<WorkQueue<String>> queues = new ArrayList<>();

    @AfterEach
    void close() {
        queues.forEach(WorkQueue::close);
    }

    /** Keys "a1", "a2", "b1": the partition is the first letter. */
    private WorkQueue<String> partitioned(int limit) {
        WorkQueue<String> queue = new WorkQueue<>("test", key -> key.substring(0, 1), limit, FAST);
        queues.add(queue);
        return queue;
    }

    private WorkQueue<String> queue() {
        return partitioned(Integer.MAX_VALUE);
    }

    @Test
    void aKeyAddedTwiceWhileItWaitsIsProcessedOnce() throws Exception {
        WorkQueue<String> queue = queue();
        queue.add("a1");
        queue.add("a1");
        assertThat(queue.length()).isEqualTo(1);
        assertThat(queue.poll(LONG)).isEqualTo("a1");
        assertThat(queue.poll(NOTHING)).isNull();
    }

    @Test
    void keysComeInTheOrderTheyWereAdded() throws Exception {
        WorkQueue<String> queue = queue();
        for (String key : List.of("a3", "a1", "a2")) {
            queue.add(key);
        }
        assertThat(List.of(queue.poll(LONG), queue.poll(LONG), queue.poll(LONG)))
                .containsExactly("a3", "a1", "a2");
    }

    @Test
    void aKeyAddedWhileItIsProcessedWaitsUntilDoneThenRunsAgain() throws Exception {
        WorkQueue<String> queue = queue();
        queue.add("a1");
        String taken = queue.poll(LONG);
        queue.add("a1");
        queue.add("a1");
        assertThat(queue.poll(NOTHING)).as("never two workers on one key").isNull();
        queue.done(taken);
        assertThat(queue.poll(LONG)).isEqualTo("a1");
        queue.done("a1");
        assertThat(queue.poll(NOTHING))
                .as("the two adds during processing ran once")
                .isNull();
    }

    @Test
    void aKeyDoneWithoutBeingAddedAgainIsNotProcessedAgain() throws Exception {
        WorkQueue<String> queue = queue();
        queue.add("a1");
        queue.done(queue.poll(LONG));
        assertThat(queue.poll(NOTHING)).isNull();
        assertThat(queue.inProcessing()).isZero();
    }

    @Test
    void aPartitionAtItsLimitLeavesTheWorkersToTheOthers() throws Exception {
        WorkQueue<String> queue = partitioned(1);
        queue.add("a1");
        queue.add("a2");
        queue.add("a3");
        queue.add("b1");
        queue.add("b2");
        assertThat(queue.poll(LONG)).isEqualTo("a1"); // a's one slot, held (a slow server)
        assertThat(queue.poll(LONG)).isEqualTo("b1");
        queue.done("b1");
        assertThat(queue.poll(LONG)).isEqualTo("b2");
        queue.done("b2");
        assertThat(queue.poll(NOTHING)).as("a2 waits for a1").isNull();
        queue.done("a1");
        assertThat(queue.poll(LONG)).isEqualTo("a2");
    }

    @Test
    void partitionsTakeTurns() throws Exception {
        WorkQueue<String> queue = partitioned(10);
        for (String key : List.of("a1", "a2", "a3", "a4", "b1", "c1")) {
            queue.add(key);
        }
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            order.add(queue.poll(LONG));
        }
        // a lone key of b or c does not wait behind every key of a
        assertThat(order).containsExactly("a1", "b1", "c1", "a2", "a3", "a4");
    }

    @Test
    void aDelayedKeyArrivesAfterItsDelayAndTheEarliestOfTwoDelaysWins() throws Exception {
        WorkQueue<String> queue = queue();
        queue.addAfter("a1", Duration.ofHours(1));
        queue.addAfter("a1", Duration.ofMillis(20));
        queue.addAfter("a1", Duration.ofHours(2));
        assertThat(queue.length()).isZero();
        assertThat(queue.poll(LONG)).isEqualTo("a1");
        queue.done("a1");
        assertThat(queue.poll(NOTHING)).isNull();
    }

    @Test
    void failuresBackOffPerKeyAndForgetStartsOver() throws Exception {
        WorkQueue<String> queue = queue();
        queue.addRateLimited("a1");
        queue.addRateLimited("a1");
        queue.addRateLimited("b1");
        assertThat(queue.failures("a1")).isEqualTo(2);
        assertThat(queue.failures("b1")).isEqualTo(1);
        assertThat(List.of(queue.poll(LONG), queue.poll(LONG))).containsExactlyInAnyOrder("a1", "b1");
        queue.forget("a1");
        assertThat(queue.failures("a1")).isZero();
        assertThat(queue.failures("b1")).isEqualTo(1);
    }

    @Test
    void resyncAddsEveryKeyAgainOnItsInterval() throws Exception {
        WorkQueue<String> queue = queue();
        queue.resyncEvery(Duration.ofMillis(20), () -> List.of("a1", "b1"));
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String key = queue.poll(LONG);
            seen.add(key);
            queue.done(key);
        }
        assertThat(seen).containsOnly("a1", "b1").contains("a1", "b1");
    }

    @Test
    void shutDownWakesWaitingWorkersDropsWaitingKeysAndIgnoresNewOnes() throws Exception {
        WorkQueue<String> queue = queue();
        CompletableFuture<String> waiting = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().start(() -> {
            try {
                waiting.complete(queue.take());
            } catch (InterruptedException e) {
                waiting.completeExceptionally(e);
            }
        });
        Await.until("the worker waits", () -> worker.getState() == Thread.State.WAITING);
        assertThat(queue.shutDown(LONG)).isTrue();
        assertThat(waiting.get(10, TimeUnit.SECONDS)).isNull();

        WorkQueue<String> another = queue();
        another.add("a1");
        another.addAfter("a2", Duration.ofMillis(1));
        another.shutDown(LONG);
        another.add("a3");
        assertThat(another.take()).isNull();
        assertThat(another.length()).isZero();
    }

    @Test
    void shutDownWaitsForTheKeysInProcessing() throws Exception {
        WorkQueue<String> queue = queue();
        queue.add("a1");
        String taken = queue.poll(LONG);
        CompletableFuture<Boolean> stopped = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                stopped.complete(queue.shutDown(LONG));
            } catch (InterruptedException e) {
                stopped.completeExceptionally(e);
            }
        });
        Await.until("the queue shuts down", queue::isShuttingDown);
        assertThat(stopped).isNotDone();
        queue.add("a1"); // ignored: shutting down
        queue.done(taken);
        assertThat(stopped.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(queue.take()).isNull();
    }

    @Test
    void shutDownGivesUpAfterItsGrace() throws Exception {
        WorkQueue<String> queue = queue();
        queue.add("a1");
        queue.poll(LONG);
        assertThat(queue.shutDown(Duration.ofMillis(20))).isFalse(); // a1 is never done
    }

    @Test
    void shutDownWithDrainLetsWorkersFinishWhatWaits() throws Exception {
        WorkQueue<String> queue = queue();
        List<String> processed = new CopyOnWriteArrayList<>();
        queue.add("a1");
        queue.add("a2");
        queue.add("a3");
        String first = queue.poll(LONG);
        queue.add(first); // runs again after it is done, even while draining
        Thread worker = Thread.ofVirtual().start(() -> {
            try {
                for (String key = queue.take(); key != null; key = queue.take()) {
                    processed.add(key);
                    queue.done(key);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<Boolean> drained = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                drained.complete(queue.shutDownWithDrain(LONG));
            } catch (InterruptedException e) {
                drained.completeExceptionally(e);
            }
        });
        Await.until("the queue shuts down", queue::isShuttingDown);
        queue.add("a9"); // ignored
        queue.done(first);
        assertThat(drained.get(10, TimeUnit.SECONDS)).isTrue();
        worker.join(10_000);
        assertThat(worker.isAlive()).isFalse();
        assertThat(processed).containsExactlyInAnyOrder("a1", "a2", "a3");
    }
}
