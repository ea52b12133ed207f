package io.dbprovision.apiserver.storage.bench;

import java.util.List;

/**
 * The median of paired ratios (one mode over another, measured back to back in each round) with a 95 %
 * distribution-free confidence interval: the order statistics {@code x(j)} and {@code x(n-j+1)} for the largest
 * {@code j} with {@code P(B < j) ≤ 2.5 %}, {@code B ~ Binomial(n, 1/2)}. It assumes nothing about how the machine's
 * load spreads the ratios, only that rounds are independent; so on a shared machine it says whether a bound is met
 * (the interval on its good side), missed (on its bad side) or not decided by this many rounds.
 */
record PairedRatios(double median, double low, double high, double confidence) {

    static PairedRatios of(List<Double> ratios) {
        double[] sorted =
                ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        int j = 0; // x(j) is the lower end, 1-based; 0 means the interval is unbounded
        double tail = 0; // P(B < j + 1) as j grows
        double below = 0;
        for (int k = 0; k < n; k++) {
            tail += binomialHalf(n, k);
            if (tail > 0.025) {
                break;
            }
            j = k + 1;
            below = tail;
        }
        if (j == 0) {
            return new PairedRatios(median, Double.NaN, Double.NaN, 0);
        }
        return new PairedRatios(median, sorted[j - 1], sorted[n - j], 1 - 2 * below);
    }

    /** ✓ when the whole interval meets the bound, ✗ when none of it does, ? when this many rounds cannot tell. */
    String verdict(boolean higherIsBetter, double bound) {
        if (Double.isNaN(low)) {
            return "?";
        }
        boolean lowMeets = higherIsBetter ? low >= bound : low <= bound;
        boolean highMeets = higherIsBetter ? high >= bound : high <= bound;
        return lowMeets && highMeets ? "✓" : !lowMeets && !highMeets ? "✗" : "?";
    }

    private static double binomialHalf(int n, int k) {
        double logChoose = 0;
        for (int i = 1; i <= k; i++) {
            logChoose += Math.log(n - k + i) - Math.log(i);
        }
        return Math.exp(logChoose - n * Math.log(2));
    }
}
