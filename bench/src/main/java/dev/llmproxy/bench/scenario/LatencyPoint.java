package dev.llmproxy.bench.scenario;

import dev.llmproxy.bench.load.OpenLoopResult;

/** Open-loop latency at one rate, direct and through the proxy. */
public record LatencyPoint(int ratePerSecond, OpenLoopResult direct, OpenLoopResult proxy) {

    /** Proxy minus direct latency at {@code percentile}, in milliseconds. */
    public double addedMillis(double percentile) {
        return Percentiles.millis(proxy.latencyMicros(), percentile)
                - Percentiles.millis(direct.latencyMicros(), percentile);
    }
}
