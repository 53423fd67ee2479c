package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * {@code router_settings.routing_strategy_args}: the tuning of {@code latency-based-routing}, with LiteLLM's names and
 * defaults.
 *
 * @param ttl {@code ttl}: how long a latency sample counts (LiteLLM: 1 hour)
 * @param lowestLatencyBuffer {@code lowest_latency_buffer}: deployments within {@code lowest × (1 + buffer)} of the
 *     fastest are picked from at random (LiteLLM: 0, always the fastest)
 */
public record RoutingStrategyArgs(Duration ttl, double lowestLatencyBuffer) {

    /** LiteLLM's defaults. */
    public static final RoutingStrategyArgs DEFAULTS = new RoutingStrategyArgs(Duration.ofHours(1), 0);

    public RoutingStrategyArgs {
        requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
        }
        if (!(lowestLatencyBuffer >= 0) || Double.isInfinite(lowestLatencyBuffer)) {
            throw new IllegalArgumentException("lowestLatencyBuffer: " + lowestLatencyBuffer + " (expected: >= 0)");
        }
    }
}
