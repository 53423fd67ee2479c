package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/** Open-loop latency at one rate: direct, through the proxy and, if it ran, through nginx. */
public record LatencyPoint(int ratePerSecond, Repeats<LatencyRun> direct, Repeats<LatencyRun> proxy,
        @Nullable Repeats<LatencyRun> nginx) {

    /** Validates the point. */
    public LatencyPoint {
        requireNonNull(direct, "direct");
        requireNonNull(proxy, "proxy");
    }

    /** Latency at {@code percentile} in milliseconds. */
    static double millis(LatencyRun run, double percentile) {
        return Percentiles.millis(run.result().latencyMicros(), percentile);
    }

    /** Proxy minus direct latency at {@code percentile}, in milliseconds (median of the paired repeats). */
    public double addedMillis(double percentile) {
        return proxy.minus(direct, r -> millis(r, percentile)).median();
    }

    /** Nginx minus direct latency at {@code percentile}, in milliseconds; NaN without nginx. */
    public double nginxAddedMillis(double percentile) {
        return nginx == null ? Double.NaN : nginx.minus(direct, r -> millis(r, percentile)).median();
    }
}
