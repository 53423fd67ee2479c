package dev.llmproxy.bench.scenario;

import java.util.List;

/** Everything one run of the scenarios measured, in the order it was measured. Thread-safety: immutable. */
public record ScenarioResults(List<ThroughputPoint> throughput, List<LatencyPoint> latency,
        List<StreamingPoint> streaming, List<FeaturePoint> features) {

    /** Copies the lists. */
    public ScenarioResults {
        throughput = List.copyOf(throughput);
        latency = List.copyOf(latency);
        streaming = List.copyOf(streaming);
        features = List.copyOf(features);
    }

    /** Results without the features scenario. */
    public ScenarioResults(List<ThroughputPoint> throughput, List<LatencyPoint> latency,
            List<StreamingPoint> streaming) {
        this(throughput, latency, streaming, List.of());
    }

    /** Whether nginx was measured (it is measured at every point or at none). */
    public boolean hasNginx() {
        return throughput.stream().anyMatch(p -> p.nginx() != null) || latency.stream().anyMatch(p -> p.nginx() != null)
                || streaming.stream().anyMatch(p -> p.nginx() != null);
    }

    /** How many times each point was measured per target (1 if nothing was measured). */
    public int repeat() {
        return throughput.stream().map(p -> p.direct().size()).findFirst()
                .or(() -> latency.stream().map(p -> p.direct().size()).findFirst())
                .or(() -> streaming.stream().map(p -> p.direct().size()).findFirst())
                .or(() -> features.stream().map(p -> p.requests() != null ? p.requests().size()
                        : p.streams() == null ? 1 : p.streams().size()).findFirst())
                .orElse(1);
    }
}
