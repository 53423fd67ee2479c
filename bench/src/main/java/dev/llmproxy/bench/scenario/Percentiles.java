package dev.llmproxy.bench.scenario;

import org.HdrHistogram.Histogram;

/** Reads microsecond histograms as milliseconds. */
final class Percentiles {

    static final double[] REPORTED = {50, 90, 99, 99.9};

    private Percentiles() {
    }

    static double millis(Histogram micros, double percentile) {
        return micros.getTotalCount() == 0 ? Double.NaN : micros.getValueAtPercentile(percentile) / 1000.0;
    }

    static double maxMillis(Histogram micros) {
        return micros.getTotalCount() == 0 ? Double.NaN : micros.getMaxValue() / 1000.0;
    }
}
