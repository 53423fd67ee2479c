package dev.llmproxy.bench.scenario;

import java.util.List;

/** Everything one run of the scenarios measured, in the order it was measured. */
public record ScenarioResults(
        List<ThroughputPoint> throughput, List<LatencyPoint> latency, List<StreamingPoint> streaming) {

    /** Copies the lists. */
    public ScenarioResults {
        throughput = List.copyOf(throughput);
        latency = List.copyOf(latency);
        streaming = List.copyOf(streaming);
    }
}
