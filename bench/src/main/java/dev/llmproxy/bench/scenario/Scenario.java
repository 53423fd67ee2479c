package dev.llmproxy.bench.scenario;

/** The scenario families the runner knows, each measured direct-to-mock and through the proxy. */
public enum Scenario {
    /** Closed-loop throughput and proxy CPU per request. */
    THROUGHPUT,
    /** Open-loop constant-rate latency, coordinated omission corrected. */
    LATENCY,
    /** Concurrent SSE streams: first-chunk time, gaps, buffering. */
    STREAMING,
    /**
     * The cost of proxy features against a baseline in the same run: routing (a group of four, limits that bite),
     * translation (Anthropic, Gemini), virtual keys, metrics and tracing.
     */
    FEATURES
}
