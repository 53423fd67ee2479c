package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.bench.load.StreamResult;
import org.jspecify.annotations.Nullable;

/** Concurrent SSE streams at one concurrency: direct, through the proxy and, if it ran, through nginx. */
public record StreamingPoint(int streams, Repeats<StreamResult> direct, Repeats<StreamResult> proxy,
        @Nullable Repeats<StreamResult> nginx) {

    /** Validates the point. */
    public StreamingPoint {
        requireNonNull(direct, "direct");
        requireNonNull(proxy, "proxy");
    }

    /** First-chunk time at {@code percentile} in milliseconds. */
    static double firstChunkMillis(StreamResult result, double percentile) {
        return Percentiles.millis(result.firstEventMicros(), percentile);
    }

    /** Proxy minus direct first-chunk time at {@code percentile}, in milliseconds (median of the paired repeats). */
    public double firstChunkAddedMillis(double percentile) {
        return proxy.minus(direct, r -> firstChunkMillis(r, percentile)).median();
    }

    /** Nginx minus direct first-chunk time at {@code percentile}, in milliseconds; NaN without nginx. */
    public double nginxFirstChunkAddedMillis(double percentile) {
        return nginx == null ? Double.NaN : nginx.minus(direct, r -> firstChunkMillis(r, percentile)).median();
    }
}
