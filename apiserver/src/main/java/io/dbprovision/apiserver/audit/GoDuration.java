package io.dbprovision.apiserver.audit;

import java.time.Duration;

/**
 * A duration in Go's notation ({@code 850µs}, {@code 1.234ms}, {@code 2.5s}, {@code 1m30s}), at microsecond
 * resolution: the notation of Kubernetes' own latency annotations, which Go's {@code time.ParseDuration} and most log
 * tools read.
 */
final class GoDuration {
    private GoDuration() {}

    static String format(Duration duration) {
        long micros = Math.max(0, duration.toNanos() / 1_000);
        if (micros == 0) {
            return "0s";
        }
        if (micros < 1_000) {
            return micros + "µs";
        }
        if (micros < 1_000_000) {
            return withFraction(micros / 1_000, micros % 1_000, 3) + "ms";
        }
        long seconds = micros / 1_000_000;
        String secondsPart = withFraction(seconds % 60, micros % 1_000_000, 6) + "s";
        long minutes = seconds / 60;
        if (minutes == 0) {
            return secondsPart;
        }
        long hours = minutes / 60;
        String minutesPart = (minutes % 60) + "m" + secondsPart;
        return hours == 0 ? minutesPart : hours + "h" + minutesPart;
    }

    /** {@code whole.fraction}, the fraction zero-padded to {@code digits} and without trailing zeros. */
    private static String withFraction(long whole, long fraction, int digits) {
        if (fraction == 0) {
            return Long.toString(whole);
        }
        // digit by digit into one array: the latency of every audited request is written so
        char[] text = new char[digits];
        for (int i = digits - 1; i >= 0; i--) {
            text[i] = (char) ('0' + fraction % 10);
            fraction /= 10;
        }
        int end = digits;
        while (text[end - 1] == '0') {
            end--;
        }
        return whole + "." + new String(text, 0, end);
    }
}
