package io.dbprovision.apiserver.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The shared checks end a watch whose client left, leave the others waiting, and stop once no watch is left. */
class WatchChecksTest {
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

    @Test
    void aWatchWhoseClientLeftEndsTheOthersWaitAndTheThreadStopsWithTheLast() throws Exception {
        WatchChecks checks = new WatchChecks(Duration.ofMillis(20));
        AtomicBoolean firstThere = new AtomicBoolean(true);
        WatchStream first = new WatchStream(item -> new ByteBuffer[0]);
        WatchStream second = new WatchStream(item -> new ByteBuffer[0]);
        long inAnHour = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
        CompletableFuture<Object> firstEnded = waitFor(first, inAnHour, firstThere::get, checks);
        CompletableFuture<Object> secondEnded = waitFor(second, inAnHour, () -> true, checks);
        while (!checks.running()) {
            Thread.onSpinWait();
        }

        firstThere.set(false);
        assertThat(firstEnded.get(10, TimeUnit.SECONDS)).isEqualTo("ended");
        Thread.sleep(100); // several passes of the checks
        assertThat(secondEnded).isNotDone();
        assertThat(checks.running()).isTrue();

        second.onEnd(null); // the store ends the other one
        assertThat(secondEnded.get(10, TimeUnit.SECONDS)).isEqualTo("ended");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (checks.running() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(checks.running()).isFalse();
    }

    @Test
    void theDeadlineEndsAWatchWithoutTheChecks() throws Exception {
        WatchChecks checks = new WatchChecks(Duration.ofHours(1));
        WatchStream stream = new WatchStream(item -> new ByteBuffer[0]);
        long started = System.nanoTime();
        CompletableFuture<Object> ended =
                waitFor(stream, started + TimeUnit.MILLISECONDS.toNanos(200), () -> true, checks);
        assertThat(ended.get(10, TimeUnit.SECONDS)).isEqualTo("ended");
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    }

    private static CompletableFuture<Object> waitFor(
            WatchStream stream, long deadline, java.util.function.BooleanSupplier clientThere, WatchChecks checks) {
        CompletableFuture<Object> ended = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                Object cause = stream.awaitEnd(deadline, clientThere, WRITE_TIMEOUT, checks);
                ended.complete(cause == null ? "ended" : cause);
            } catch (Throwable e) {
                ended.completeExceptionally(e);
            }
        });
        return ended;
    }
}
