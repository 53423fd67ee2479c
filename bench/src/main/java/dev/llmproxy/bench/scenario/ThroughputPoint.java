package dev.llmproxy.bench.scenario;

import dev.llmproxy.bench.load.ClosedLoopResult;
import org.jspecify.annotations.Nullable;

/**
 * Closed-loop throughput at one connection count, direct and through the proxy. {@code proxyCpuSeconds} is the proxy
 * process's CPU time over the proxy run (null when the proxy's pid is unknown).
 */
public record ThroughputPoint(
        int connections, ClosedLoopResult direct, ClosedLoopResult proxy, @Nullable Double proxyCpuSeconds) {

    /** Proxy CPU seconds per 10,000 completed proxy requests, or null if unknown or nothing completed. */
    public @Nullable Double proxyCpuSecondsPer10k() {
        if (proxyCpuSeconds == null || proxy.completed() == 0) {
            return null;
        }
        return proxyCpuSeconds / proxy.completed() * 10_000;
    }
}
