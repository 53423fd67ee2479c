package dev.llmproxy.bench.scenario;

import java.util.Arrays;

/**
 * One metric across the repeats of a scenario point: the median and the range. NaN everywhere when no repeat
 * measured it (e.g. a percentile of an empty histogram).
 *
 * @param median the median of the measured values (the mean of the middle two for an even count)
 * @param min the smallest measured value
 * @param max the largest measured value
 * @param count how many repeats measured the metric
 */
public record Spread(double median, double min, double max, int count) {

    static final Spread NONE = new Spread(Double.NaN, Double.NaN, Double.NaN, 0);

    /** The spread of {@code values}, ignoring NaN entries. */
    static Spread of(double[] values) {
        double[] measured = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        int n = measured.length;
        if (n == 0) {
            return NONE;
        }
        double median = n % 2 == 1 ? measured[n / 2] : (measured[n / 2 - 1] + measured[n / 2]) / 2;
        return new Spread(median, measured[0], measured[n - 1], n);
    }

    /** Whether at least one repeat measured the metric. */
    public boolean isMeasured() {
        return count > 0;
    }
}
