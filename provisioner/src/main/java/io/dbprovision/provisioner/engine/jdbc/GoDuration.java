package io.dbprovision.provisioner.engine.jdbc;

import io.dbprovision.provisioner.engine.EngineException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's duration syntax ({@code 10s}, {@code 1m30s}, {@code 500ms}, {@code 1.5h}), in which the MySQL instance options
 * carry their timeouts because the seed's operator was written in Go.
 */
final class GoDuration {
    private static final Pattern WHOLE = Pattern.compile("([0-9]*\\.?[0-9]+(?:ns|us|µs|ms|s|m|h))+");
    private static final Pattern PART = Pattern.compile("([0-9]*\\.?[0-9]+)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {}

    /** Parses {@code text}; blank gives {@code fallback}; malformed is an InvalidDefinition of {@code field}. */
    static Duration parse(String text, Duration fallback, String field) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        String trimmed = text.strip();
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        if (!WHOLE.matcher(trimmed).matches()) {
            throw new EngineException.InvalidDefinition(field, "not a duration such as 10s or 1m30s");
        }
        double nanos = 0;
        Matcher part = PART.matcher(trimmed);
        while (part.find()) {
            double value = Double.parseDouble(part.group(1));
            nanos += value
                    * switch (part.group(2)) {
                        case "ns" -> 1d;
                        case "us", "µs" -> 1e3;
                        case "ms" -> 1e6;
                        case "s" -> 1e9;
                        case "m" -> 60e9;
                        default -> 3600e9;
                    };
        }
        return Duration.ofNanos((long) nanos);
    }
}
