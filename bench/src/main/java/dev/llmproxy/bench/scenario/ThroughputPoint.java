package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * Closed-loop throughput at one connection count: direct, through the proxy and, if it ran, through nginx. The CPU
 * figures are those of the proxy process and of the nginx worker.
 */
public record ThroughputPoint(int connections, Repeats<ThroughputRun> direct, Repeats<ThroughputRun> proxy,
        @Nullable Repeats<ThroughputRun> nginx) {

    /** Validates the point. */
    public ThroughputPoint {
        requireNonNull(direct, "direct");
        requireNonNull(proxy, "proxy");
    }

    /** Median proxy CPU seconds per 10,000 completed proxy requests; NaN if unknown. */
    public double proxyCpuSecondsPer10k() {
        return proxy.stat(ThroughputRun::cpuSecondsPer10k).median();
    }
}
