package io.dbprovision.apiserver.reconcile.bench;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;

/** Percentiles (nearest rank over every sample, none estimated) and the report's number formats. */
final class Stats {
    private Stats() {}

    /** The {@code percentile} of {@code nanos}, in milliseconds. */
    static double ms(long[] nanos, double percentile) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1_000_000.0;
    }

    static double ms(Collection<Long> nanos, double percentile) {
        return ms(nanos.stream().mapToLong(Long::longValue).toArray(), percentile);
    }

    static String f1(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String f2(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
