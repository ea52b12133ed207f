package io.dbprovision.api.validation;

import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A five-field cron expression (minute hour day-of-month month day-of-week) as the standard cron and the seed read
 * it: lists, ranges, steps, {@code *}, month and weekday names, 7 as Sunday, and the macros {@code @yearly},
 * {@code @annually}, {@code @monthly}, {@code @weekly}, {@code @daily}, {@code @midnight}, {@code @hourly}.
 * Parsed into one bit set per field, which is what a scheduler needs to find the next time.
 */
public record CronExpression(BitSet minutes, BitSet hours, BitSet daysOfMonth, BitSet months, BitSet daysOfWeek) {

    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");
    private static final List<String> MONTHS =
            List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    /** @throws IllegalArgumentException naming the bad field */
    public static CronExpression parse(String expression) {
        String text = MACROS.getOrDefault(expression.trim(), expression.trim());
        String[] fields = text.split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException(
                    "must have 5 fields (minute hour day-of-month month day-of-week), found " + fields.length);
        }
        BitSet daysOfWeek = field("day-of-week", fields[4], 0, 7, DAYS, 0);
        if (daysOfWeek.get(7)) {
            daysOfWeek.set(0); // 7 is Sunday too
            daysOfWeek.clear(7);
        }
        return new CronExpression(
                field("minute", fields[0], 0, 59, List.of(), 0),
                field("hour", fields[1], 0, 23, List.of(), 0),
                field("day-of-month", fields[2], 1, 31, List.of(), 0),
                field("month", fields[3], 1, 12, MONTHS, 1),
                daysOfWeek);
    }

    /** The problem with an expression, or empty when it is valid. */
    public static Optional<String> problem(String expression) {
        try {
            parse(expression);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of("must be a cron schedule such as \"0 2 * * *\": " + e.getMessage());
        }
    }

    private static BitSet field(String name, String text, int min, int max, List<String> names, int nameBase) {
        BitSet bits = new BitSet(max + 1);
        for (String part : text.split(",", -1)) {
            String range = part;
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(name, part.substring(slash + 1), 1, max, List.of(), 0);
            }
            int from;
            int to;
            if (range.equals("*") || range.equals("?")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", -1);
                if (ends.length != 2) {
                    throw new IllegalArgumentException(name + " has a bad range \"" + range + "\"");
                }
                from = number(name, ends[0], min, max, names, nameBase);
                to = number(name, ends[1], min, max, names, nameBase);
                if (from > to) {
                    throw new IllegalArgumentException(name + " range \"" + range + "\" runs backwards");
                }
            } else {
                from = number(name, range, min, max, names, nameBase);
                to = slash >= 0 ? max : from;
            }
            for (int value = from; value <= to; value += step) {
                bits.set(value);
            }
        }
        return bits;
    }

    private static int number(String name, String text, int min, int max, List<String> names, int nameBase) {
        int index = names.indexOf(text.toUpperCase(Locale.ROOT));
        if (index >= 0) {
            return index + nameBase;
        }
        try {
            int value = Integer.parseInt(text);
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " value " + value + " is outside " + min + "-" + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " has a bad value \"" + text + "\"");
        }
    }
}
