package io.dbprovision.client.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations as kubectl's flags take them: {@code 30s}, {@code 2m}, {@code 1h30m}, {@code 500ms}; a bare number is seconds. */
final class Durations implements ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        String text = value.strip();
        if (text.matches("\\d{1,9}")) {
            return positive(Duration.ofSeconds(Long.parseLong(text)), value);
        }
        Matcher matcher = PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (matcher.find() && matcher.start() == end) {
            long amount = Long.parseLong(matcher.group(1));
            total = total.plus(
                    switch (matcher.group(2)) {
                        case "ms" -> Duration.ofMillis(amount);
                        case "s" -> Duration.ofSeconds(amount);
                        case "m" -> Duration.ofMinutes(amount);
                        default -> Duration.ofHours(amount);
                    });
            end = matcher.end();
        }
        if (end == 0 || end != text.length()) {
            throw new TypeConversionException("not a duration such as 30s, 2m or 1h30m");
        }
        return positive(total, value);
    }

    private static Duration positive(Duration duration, String value) {
        if (duration.isZero()) {
            throw new TypeConversionException("a duration must be positive");
        }
        return duration;
    }

    /** kubectl's AGE: 45s, 12m, 5h, 3d, 2y. */
    static String age(Duration age) {
        long seconds = Math.max(0, age.toSeconds());
        if (seconds < 120) {
            return seconds + "s";
        }
        if (seconds < 120 * 60) {
            return seconds / 60 + "m";
        }
        if (seconds < 48 * 3600) {
            return seconds / 3600 + "h";
        }
        if (seconds < 365L * 2 * 86400) {
            return seconds / 86400 + "d";
        }
        return seconds / (365 * 86400) + "y";
    }
}
