package dev.llmproxy.bench.load;

import org.HdrHistogram.Histogram;

/** Factory and recording helpers for the microsecond latency histograms all results use. */
final class Histograms {

    /** The largest recordable value, 10 minutes in microseconds; larger values are clamped to it. */
    static final long HIGHEST_MICROS = 600_000_000L;

    private Histograms() {
    }

    static Histogram newMicros() {
        return new Histogram(HIGHEST_MICROS, 3);
    }

    /** Records a non-negative duration given in nanoseconds, truncated to whole microseconds. */
    static void recordNanos(Histogram histogram, long nanos) {
        histogram.recordValue(Math.min(Math.max(nanos, 0) / 1_000, HIGHEST_MICROS));
    }
}
