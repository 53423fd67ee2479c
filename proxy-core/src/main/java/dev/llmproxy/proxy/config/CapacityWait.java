package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * llmproxy's wait for capacity ({@code router_settings.wait_for_capacity_timeout} and
 * {@code wait_for_capacity_max_queue}): a request that finds every deployment of its group at its limits waits in a
 * first-come first-served queue instead of getting a 429 at once. LiteLLM has no such setting.
 *
 * @param maxWait the longest a request waits before it gets its 429
 * @param maxQueue the most requests waiting per model group; one more gets its 429 at once
 */
public record CapacityWait(Duration maxWait, int maxQueue) {

    /** How many requests may wait per model group unless configured. */
    public static final int DEFAULT_MAX_QUEUE = 100;

    public CapacityWait {
        requireNonNull(maxWait, "maxWait");
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("maxWait: " + maxWait + " (expected: > 0)");
        }
        if (maxQueue <= 0) {
            throw new IllegalArgumentException("maxQueue: " + maxQueue + " (expected: > 0)");
        }
    }
}
