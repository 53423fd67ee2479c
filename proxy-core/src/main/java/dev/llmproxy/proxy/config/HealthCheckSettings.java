package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * {@code general_settings.background_health_checks} and {@code health_check_interval}.
 *
 * @param background whether every deployment is probed every {@code interval} off the request path (and, in
 *     llmproxy, taken out of rotation while its probe fails)
 * @param interval the time between two rounds of probes (LiteLLM: 300 s)
 */
public record HealthCheckSettings(boolean background, Duration interval) {

    /** LiteLLM's default interval. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(300);

    /** Health checks only on request ({@code GET /health}). */
    public static final HealthCheckSettings DEFAULTS = new HealthCheckSettings(false, DEFAULT_INTERVAL);

    public HealthCheckSettings {
        requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
        }
    }
}
