package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.bench.load.ClosedLoopResult;
import org.jspecify.annotations.Nullable;

/**
 * One closed-loop run and the CPU time the target's process used over it (connecting, the window and the drain, not
 * the warm-up); null when the target has no process of its own (the in-process mock) or its pid is unknown.
 */
public record ThroughputRun(ClosedLoopResult result, @Nullable Double cpuSeconds) implements CpuUse {

    /** Validates the result. */
    public ThroughputRun {
        requireNonNull(result, "result");
    }

    @Override
    public long completedRequests() {
        return result.completed();
    }
}
