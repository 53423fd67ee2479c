package dev.llmproxy.bench.scenario;

/** The scenario families the runner knows, each measured direct-to-mock and through the proxy. */
public enum Scenario {
    /** Closed-loop throughput and proxy CPU per request. */
    THROUGHPUT,
    /** Open-loop constant-rate latency, coordinated omission corrected. */
    LATENCY,
    /** Concurrent SSE streams: first-chunk time, gaps, buffering. */
    STREAMING
}
