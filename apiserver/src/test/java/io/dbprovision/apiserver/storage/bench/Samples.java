package io.dbprovision.apiserver.storage.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Every latency sample of one measurement, in nanoseconds. Percentiles are exact (nearest rank over the sorted
 * samples), not estimated from buckets or a reservoir, so a p99 is the 99th percentile of what was measured.
 */
final class Samples {
    private long[] values;
    private int size;
    private boolean sorted;

    Samples() {
        this(1024);
    }

    Samples(int capacity) {
        values = new long[Math.max(16, capacity)];
    }

    void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[size++] = nanos;
        sorted = false;
    }

    int size() {
        return size;
    }

    static Samples merge(List<Samples> parts) {
        Samples all = new Samples(parts.stream().mapToInt(Samples::size).sum());
        for (Samples part : parts) {
            System.arraycopy(part.values, 0, all.values, all.size, part.size);
            all.size += part.size;
        }
        return all;
    }

    /** The nearest-rank percentile ({@code p} in 0..100), in nanoseconds; NaN without samples. */
    double percentile(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        if (!sorted) {
            Arrays.sort(values, 0, size);
            sorted = true;
        }
        int rank = (int) Math.ceil(p / 100.0 * size);
        return values[Math.clamp(rank - 1, 0, size - 1)];
    }

    double max() {
        return percentile(100);
    }
}
