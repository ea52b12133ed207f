package io.dbprovision.api.validation;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The named string formats of the schema ({@code FieldRules.format}). Each check returns the problem, or empty when
 * the value is well-formed.
 */
public final class Formats {
    private static final Pattern GO_DURATION =
            Pattern.compile("[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h))+)");
    private static final Pattern DAYS = Pattern.compile("[0-9]+d");
    private static final Set<String> ZONES = ZoneId.getAvailableZoneIds();

    private Formats() {}

    public static Optional<String> check(String format, String value) {
        return switch (format) {
            case "duration" ->
                GO_DURATION.matcher(value).matches()
                        ? Optional.empty()
                        : Optional.of("must be a duration such as 90s, 30m or 8h");
            case "days" ->
                DAYS.matcher(value).matches() || GO_DURATION.matcher(value).matches()
                        ? Optional.empty()
                        : Optional.of("must be a number of days such as 90d, or a duration such as 720h");
            case "date-time" ->
                isRfc3339(value)
                        ? Optional.empty()
                        : Optional.of("must be an RFC 3339 time such as 2026-01-02T03:04:05Z");
            case "timezone" ->
                ZONES.contains(value)
                        ? Optional.empty()
                        : Optional.of("must be an IANA time zone name such as UTC or Europe/Berlin");
            case "cron" -> CronExpression.problem(value);
            default -> Optional.empty();
        };
    }

    private static boolean isRfc3339(String value) {
        try {
            OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
