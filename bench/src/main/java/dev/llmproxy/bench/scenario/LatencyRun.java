package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.bench.load.OpenLoopResult;
import org.jspecify.annotations.Nullable;

/**
 * One open-loop run at a constant rate and the CPU time the target's process used over its window (not the
 * warm-up); null when the target has no process of its own or its pid is unknown.
 *
 * <p>At a constant rate every target sees the same arrivals, so its CPU per request compares code paths more fairly
 * than a closed loop does: there a target that answers more slowly is woken for fewer requests per wake-up, and pays
 * the wake-ups again per request.
 */
public record LatencyRun(OpenLoopResult result, @Nullable Double cpuSeconds) implements CpuUse {

    /** Validates the result. */
    public LatencyRun {
        requireNonNull(result, "result");
    }

    /** This run and {@code other} as one window: results merged, CPU summed (unknown if either is). */
    LatencyRun plus(LatencyRun other) {
        Double cpu = cpuSeconds == null || other.cpuSeconds == null ? null : cpuSeconds + other.cpuSeconds;
        return new LatencyRun(result.plus(other.result), cpu);
    }

    @Override
    public long completedRequests() {
        return result.completed();
    }
}
