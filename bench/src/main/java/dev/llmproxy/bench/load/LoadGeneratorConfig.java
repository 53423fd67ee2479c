package dev.llmproxy.bench.load;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Settings of a {@link LoadGenerator}: its event loop threads (connections and rate are split evenly over them),
 * how long a run waits after its measurement window for outstanding responses, and its clock.
 */
public record LoadGeneratorConfig(int eventLoopThreads, Duration drainTimeout, Ticker ticker) {

    /** Validates the config; throws {@link IllegalArgumentException} on a non-positive thread count or timeout. */
    public LoadGeneratorConfig {
        requireNonNull(drainTimeout, "drainTimeout");
        requireNonNull(ticker, "ticker");
        Plans.positive("eventLoopThreads", eventLoopThreads);
        Plans.positive("drainTimeout", drainTimeout.toNanos());
    }

    /** One event loop thread, a 5 s drain timeout and the system ticker. */
    public static LoadGeneratorConfig defaults() {
        return new LoadGeneratorConfig(1, Duration.ofSeconds(5), Ticker.system());
    }
}
