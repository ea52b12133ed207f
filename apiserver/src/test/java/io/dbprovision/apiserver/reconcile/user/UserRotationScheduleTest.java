package io.dbprovision.apiserver.reconcile.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rotation schedules (when a cron expression fires next, in UTC) and the names of rotated users. */
class UserRotationScheduleTest {
    private static final Instant NOON = Instant.parse("2030-01-01T12:00:00Z"); // a Tuesday

    private static Instant next(String cron, Instant after) {
        return CronSchedule.parse(cron).next(after).orElseThrow();
    }

    @Test
    void everyMinuteFiresAtTheNextMinuteNeverTheSameOne() {
        assertThat(next("* * * * *", NOON)).isEqualTo(Instant.parse("2030-01-01T12:01:00Z"));
        assertThat(next("* * * * *", Instant.parse("2030-01-01T12:00:59.999Z")))
                .isEqualTo(Instant.parse("2030-01-01T12:01:00Z"));
    }

    @Test
    void dailyAndMonthlySchedulesFireAtTheirSlot() {
        assertThat(next("0 0 * * *", NOON)).isEqualTo(Instant.parse("2030-01-02T00:00:00Z"));
        assertThat(next("0 0 1 * *", NOON)).isEqualTo(Instant.parse("2030-02-01T00:00:00Z"));
        assertThat(next("@monthly", NOON)).isEqualTo(Instant.parse("2030-02-01T00:00:00Z"));
        assertThat(next("30 2 * * *", Instant.parse("2030-01-01T02:29:00Z")))
                .isEqualTo(Instant.parse("2030-01-01T02:30:00Z"));
    }

    @Test
    void listsRangesStepsAndNamesAreRead() {
        assertThat(next("15,45 * * * *", NOON)).isEqualTo(Instant.parse("2030-01-01T12:15:00Z"));
        assertThat(next("*/20 * * * *", Instant.parse("2030-01-01T12:41:00Z")))
                .isEqualTo(Instant.parse("2030-01-01T13:00:00Z"));
        assertThat(next("0 9-17/4 * * *", NOON)).isEqualTo(Instant.parse("2030-01-01T13:00:00Z"));
        assertThat(next("0 0 * * SUN", NOON)).isEqualTo(Instant.parse("2030-01-06T00:00:00Z"));
        assertThat(next("0 0 * * 7", NOON)).isEqualTo(Instant.parse("2030-01-06T00:00:00Z"));
        assertThat(next("0 0 1 mar *", NOON)).isEqualTo(Instant.parse("2030-03-01T00:00:00Z"));
        assertThat(next("0 0 29 2 *", NOON)).isEqualTo(Instant.parse("2032-02-29T00:00:00Z"));
    }

    @Test
    void aRestrictedDayOfMonthAndDayOfWeekFireOnEither() {
        // the 15th, or any Friday: Friday 4 January comes first
        assertThat(next("0 0 15 * FRI", NOON)).isEqualTo(Instant.parse("2030-01-04T00:00:00Z"));
        // with day-of-week *, only the 15th
        assertThat(next("0 0 15 * *", NOON)).isEqualTo(Instant.parse("2030-01-15T00:00:00Z"));
    }

    @Test
    void invalidSchedulesAreRefusedWithTheReason() {
        for (String invalid : List.of(
                "",
                " ",
                "* * * *",
                "* * * * * *",
                "60 * * * *",
                "* 24 * * *",
                "* * 0 * *",
                "* * * 13 *",
                "5-1 * * * *",
                "*/0 * * * *",
                "a b c d e",
                "0 0 30 2 *",
                "x".repeat(10_000))) {
            assertThatThrownBy(() -> CronSchedule.parse(invalid))
                    .as(invalid.length() > 20 ? "a long schedule" : invalid)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        }
    }

    @Test
    void rotatedUsersAreNamedByTheTemplateAndCutTo63Characters() {
        assertThat(RotatedUserNames.next("", "app", NOON, Set.of())).contains("app_20300101");
        assertThat(RotatedUserNames.next("{{ .Username }}_v{{.Timestamp}}", "app", NOON, Set.of()))
                .contains("app_v" + NOON.getEpochSecond());
        String long63 = "u".repeat(63);
        assertThat(RotatedUserNames.next(RotatedUserNames.DEFAULT_NAMING, long63, NOON, Set.of()))
                .contains(long63);
        // $ and \ in a username are taken literally, not as regex groups
        assertThat(RotatedUserNames.next("{{.Username}}", "a$1\\b", NOON, Set.of()))
                .contains("a$1\\b");
    }

    @Test
    void aNameInUseGetsTheTimestampAndTwoInOneSecondAreRefused() {
        String suffixed = "app_20300101_" + NOON.getEpochSecond();
        assertThat(RotatedUserNames.next("", "app", NOON, Set.of("app_20300101")))
                .contains(suffixed);
        assertThat(RotatedUserNames.next("", "app", NOON, Set.of("app_20300101", suffixed)))
                .isEmpty();
        String long63 = "u".repeat(63);
        assertThat(RotatedUserNames.next("{{.Username}}", long63, NOON, Set.of(long63))
                        .orElseThrow())
                .hasSize(63)
                .endsWith("_" + NOON.getEpochSecond());
    }
}
