package dev.llmproxy.bench.load;

import java.time.Duration;
import org.HdrHistogram.Histogram;

/**
 * The outcome of a {@link ClosedLoopPlan}: 2xx responses completed within the measurement window, other responses
 * and lost requests ({@code errors}), and the latency of the completed ones in microseconds (send to completion).
 * The histogram belongs to the caller.
 */
public record ClosedLoopResult(
        int connections, long completed, long errors, Duration measured, Histogram latencyMicros) {

    /** Completed requests per second over the measurement window. */
    public double requestsPerSecond() {
        return completed * 1e9 / measured.toNanos();
    }
}
