package io.dbprovision.api.codec;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/** Kubernetes times: RFC 3339, written in UTC with whole seconds, read with any offset and fraction. */
public final class Timestamps {
    /**
     * RFC 3339's date-time (section 5.6). The ISO parser alone also takes times without seconds and years beyond 9999
     * such as {@code +10000-01-01T00:00:00Z}, which Kubernetes refuses and could not write back.
     */
    private static final Pattern RFC_3339 = Pattern.compile(
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})");

    private Timestamps() {}

    public static String format(Timestamp timestamp) {
        Instant instant = Instant.ofEpochSecond(timestamp.getSeconds()).truncatedTo(ChronoUnit.SECONDS);
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }

    /** @throws DateTimeParseException if the text is not RFC 3339 */
    public static Timestamp parse(String text) {
        if (!RFC_3339.matcher(text).matches()) {
            throw new DateTimeParseException("not an RFC 3339 time", text, 0);
        }
        Instant instant = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                .toInstant();
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).build();
    }

    public static Timestamp of(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).build();
    }
}
