package dev.llmproxy.bench.scenario;

import dev.llmproxy.bench.load.StreamResult;

/** Concurrent SSE streams at one concurrency, direct and through the proxy. */
public record StreamingPoint(int streams, StreamResult direct, StreamResult proxy) {

    /** Proxy minus direct first-chunk time at {@code percentile}, in milliseconds. */
    public double firstChunkAddedMillis(double percentile) {
        return Percentiles.millis(proxy.firstEventMicros(), percentile)
                - Percentiles.millis(direct.firstEventMicros(), percentile);
    }
}
