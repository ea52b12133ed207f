package io.dbprovision.apiserver.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void theDelayDoublesWithEachFailureUpToTheMaximum() {
        Backoff backoff = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(1), 0, () -> 0.5);
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(10));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofMillis(20));
        assertThat(backoff.delay(5)).isEqualTo(Duration.ofMillis(160));
        assertThat(backoff.delay(8)).isEqualTo(Duration.ofSeconds(1)); // 1280 ms, capped
        assertThat(backoff.delay(10_000)).isEqualTo(Duration.ofSeconds(1)); // no overflow
    }

    @Test
    void jitterShortensTheDelayByAtMostItsFraction() {
        Backoff least = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 0.2, () -> 0.999999);
        Backoff most = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 0.2, () -> 0.0);
        assertThat(most.delay(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(least.delay(3)).isBetween(Duration.ofMillis(320), Duration.ofMillis(321));
        assertThat(least.delay(100)).isLessThan(Duration.ofSeconds(10)); // never above the maximum
    }

    @Test
    void randomJitterSpreadsDelaysWithinTheirBounds() {
        Backoff backoff = Backoff.of(Duration.ofMillis(100), Duration.ofSeconds(10), 0.5);
        for (int i = 0; i < 1000; i++) {
            assertThat(backoff.delay(2)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
        }
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThatThrownBy(() -> Backoff.of(Duration.ZERO, Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Backoff.of(Duration.ofSeconds(2), Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Backoff.of(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
