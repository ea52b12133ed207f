package io.dbprovision.apiserver;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A duration flag in Go's notation ({@code 10s}, {@code 1m30s}, {@code 1.5h}, {@code 250ms}, {@code 0}), as
 * k8s.io/apiserver's duration flags take it, so a Deployment's arguments can be copied from another aggregated server.
 * Like Go's {@code time.ParseDuration}: a sequence of decimal numbers, each with a unit among {@code ns}, {@code us}
 * ({@code µs}), {@code ms}, {@code s}, {@code m}, {@code h}; a bare {@code 0} is allowed. Negative durations are
 * refused, since no flag here means anything by them.
 */
public final class GoDurationConverter implements ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)");
    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ns", 1L,
            "us", 1_000L,
            "µs", 1_000L,
            "μs", 1_000L,
            "ms", 1_000_000L,
            "s", 1_000_000_000L,
            "m", 60_000_000_000L,
            "h", 3_600_000_000_000L);

    @Override
    public Duration convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** Parses {@code text}; a clear {@link IllegalArgumentException} when it is not a Go duration. */
    public static Duration parse(String text) {
        String value = text.trim();
        if (value.startsWith("+")) {
            value = value.substring(1);
        }
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        if (value.startsWith("-")) {
            throw new IllegalArgumentException("'" + text + "' is negative; a duration here must be 0 or more");
        }
        if (value.isEmpty()) {
            throw invalid(text);
        }
        Matcher part = PART.matcher(value);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < value.length()) {
            if (!part.find(at) || part.start() != at) {
                throw invalid(text);
            }
            String number = part.group(1);
            if (number.isEmpty() || number.equals(".")) {
                throw invalid(text);
            }
            nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(part.group(2)))));
            at = part.end();
        }
        try {
            return Duration.ofNanos(nanos.longValueExact());
        } catch (ArithmeticException e) {
            // a fraction of a nanosecond is dropped, as Go does; only a value past Go's range (about 290 years) fails
            if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                throw new IllegalArgumentException("'" + text + "' is too long a duration");
            }
            return Duration.ofNanos(nanos.longValue());
        }
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException(
                "'" + text + "' is not a duration: write it as Go does, e.g. 10s, 1m30s, 250ms or 2h");
    }
}
