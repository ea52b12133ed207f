package io.dbprovision.apiserver.reconcile.user;

import io.dbprovision.api.validation.CronExpression;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Optional;

/**
 * When a five-field cron schedule fires next, in UTC (the seed used the operator's local time; a server's time zone
 * should not move rotations). The expression is parsed by the API's own {@link CronExpression} — the same rules that
 * admission checks — so a schedule admission took is one this class reads. Day-of-month and day-of-week follow cron:
 * when both are restricted a day matching either fires; when one is {@code *} only the other counts.
 */
public final class CronSchedule {
    /** Schedules that cannot fire within this many years (30 February) are refused as never firing. */
    private static final int HORIZON_YEARS = 5;

    private final CronExpression expression;
    private final boolean anyDayOfMonth;
    private final boolean anyDayOfWeek;

    private CronSchedule(CronExpression expression) {
        this.expression = expression;
        this.anyDayOfMonth = all(expression.daysOfMonth(), 1, 31);
        this.anyDayOfWeek = all(expression.daysOfWeek(), 0, 6);
    }

    /**
     * @throws IllegalArgumentException naming what is wrong, when the expression does not parse or never fires
     */
    public static CronSchedule parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the schedule is empty");
        }
        if (text.length() > 256) {
            throw new IllegalArgumentException("the schedule is longer than 256 characters");
        }
        CronSchedule schedule = new CronSchedule(CronExpression.parse(text));
        if (schedule.next(Instant.EPOCH.plus(366 * 30L, ChronoUnit.DAYS)).isEmpty()) {
            throw new IllegalArgumentException("the schedule never fires");
        }
        return schedule;
    }

    /** The first minute strictly after {@code after} at which the schedule fires; empty when none within 5 years. */
    public Optional<Instant> next(Instant after) {
        LocalDateTime start = LocalDateTime.ofInstant(after, ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.MINUTES)
                .plusMinutes(1);
        LocalDate day = start.toLocalDate();
        LocalTime from = start.toLocalTime();
        LocalDate last = day.plusYears(HORIZON_YEARS);
        while (!day.isAfter(last)) {
            if (dayMatches(day)) {
                Optional<LocalTime> time = firstTime(from);
                if (time.isPresent()) {
                    return Optional.of(day.atTime(time.get()).toInstant(ZoneOffset.UTC));
                }
            }
            day = day.plusDays(1);
            from = LocalTime.MIDNIGHT;
        }
        return Optional.empty();
    }

    private boolean dayMatches(LocalDate day) {
        if (!expression.months().get(day.getMonthValue())) {
            return false;
        }
        boolean dayOfMonth = expression.daysOfMonth().get(day.getDayOfMonth());
        boolean dayOfWeek = expression.daysOfWeek().get(day.getDayOfWeek().getValue() % 7);
        if (anyDayOfMonth && anyDayOfWeek) {
            return true;
        }
        if (anyDayOfMonth) {
            return dayOfWeek;
        }
        if (anyDayOfWeek) {
            return dayOfMonth;
        }
        return dayOfMonth || dayOfWeek;
    }

    private Optional<LocalTime> firstTime(LocalTime from) {
        for (int hour = expression.hours().nextSetBit(from.getHour());
                hour >= 0 && hour < 24;
                hour = expression.hours().nextSetBit(hour + 1)) {
            int firstMinute = hour == from.getHour() ? from.getMinute() : 0;
            int minute = expression.minutes().nextSetBit(firstMinute);
            if (minute >= 0 && minute < 60) {
                return Optional.of(LocalTime.of(hour, minute));
            }
        }
        return Optional.empty();
    }

    private static boolean all(BitSet bits, int from, int to) {
        return bits.get(from, to + 1).cardinality() == to - from + 1;
    }
}
