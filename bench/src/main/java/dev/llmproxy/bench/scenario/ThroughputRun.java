package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.bench.load.ClosedLoopResult;
import org.jspecify.annotations.Nullable;

/**
 * One closed-loop run and the CPU time the target's process used over it (connecting, the window and the drain, not
 * the warm-up); null when the target has no process of its own (the in-process mock) or its pid is unknown.
 */
public record ThroughputRun(ClosedLoopResult result, @Nullable Double cpuSeconds) {

    /** Validates the result. */
    public ThroughputRun {
        requireNonNull(result, "result");
    }

    /** CPU seconds per 10,000 completed requests; NaN if unknown or nothing completed. */
    public double cpuSecondsPer10k() {
        return cpuSeconds == null || result.completed() == 0 ? Double.NaN
                : cpuSeconds / result.completed() * 10_000;
    }

    /** The CPU time as a number; NaN if unknown. */
    public double cpuSecondsOrNaN() {
        return cpuSeconds == null ? Double.NaN : cpuSeconds;
    }
}
