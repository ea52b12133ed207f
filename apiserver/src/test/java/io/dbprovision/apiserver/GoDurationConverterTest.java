package io.dbprovision.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Durations as Go's {@code time.ParseDuration} reads them, as Kubernetes' duration flags take them. */
class GoDurationConverterTest {
    @Test
    void readsGoDurations() {
        assertThat(GoDurationConverter.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(GoDurationConverter.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GoDurationConverter.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDurationConverter.parse("2h45m10.5s")).isEqualTo(Duration.parse("PT2H45M10.5S"));
        assertThat(GoDurationConverter.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(GoDurationConverter.parse("300us")).isEqualTo(Duration.ofNanos(300_000));
        assertThat(GoDurationConverter.parse("300µs")).isEqualTo(Duration.ofNanos(300_000));
        assertThat(GoDurationConverter.parse("7ns")).isEqualTo(Duration.ofNanos(7));
        assertThat(GoDurationConverter.parse(".5s")).isEqualTo(Duration.ofMillis(500));
        assertThat(GoDurationConverter.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(GoDurationConverter.parse("0s")).isEqualTo(Duration.ZERO);
        assertThat(GoDurationConverter.parse("+5m")).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void refusesWhatGoRefusesAndNegativeDurations() {
        for (String text : new String[] {"", "10", "s", "1d", "1m 30s", "1.s.", "ten seconds", "1e3s", "."}) {
            assertThatThrownBy(() -> GoDurationConverter.parse(text))
                    .as(text)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a duration: write it as Go does, e.g. 10s, 1m30s");
        }
        assertThatThrownBy(() -> GoDurationConverter.parse("-10s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is negative");
    }
}
