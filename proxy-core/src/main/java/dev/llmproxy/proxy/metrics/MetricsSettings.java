package dev.llmproxy.proxy.metrics;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * How {@code /metrics} is served and what its histograms count.
 *
 * @param requireAuth whether a scrape must carry a key the proxy accepts
 *     ({@code litellm_settings.require_auth_for_metrics_endpoint}); otherwise {@code /metrics} is public
 * @param latencyBucketsSeconds the upper bounds of the latency histograms in seconds, strictly increasing, without
 *     {@code +Inf} (always added) ({@code litellm_settings.prometheus_latency_buckets})
 * @param filter which families and labels are exposed
 */
public record MetricsSettings(boolean requireAuth, List<Double> latencyBucketsSeconds, MetricFilter filter) {

    /** LiteLLM's {@code LATENCY_BUCKETS} since April 2026 (PR #25071), the default. */
    public static final List<Double> LATENCY_BUCKETS = List.of(
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 420.0, 600.0);

    /**
     * LiteLLM's {@code LATENCY_BUCKETS} before April 2026, for alert rules that pin {@code le} values such as
     * {@code "1.5"}: 0.005, 0.00625, 0.0125, 0.025, 0.05, 0.1, 0.5, then 1 to 10 in steps of 0.5, 15, 20, 25, 30,
     * 60, 120, 180, 240, 300.
     */
    public static final List<Double> LEGACY_LATENCY_BUCKETS = List.of(
            0.005, 0.00625, 0.0125, 0.025, 0.05, 0.1, 0.5,
            1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 9.0, 9.5, 10.0,
            15.0, 20.0, 25.0, 30.0, 60.0, 120.0, 180.0, 240.0, 300.0);

    /** Public {@code /metrics}, LiteLLM's current latency buckets. */
    public static final MetricsSettings DEFAULTS = new MetricsSettings(false, LATENCY_BUCKETS, MetricFilter.ALL);

    /**
     * @throws IllegalArgumentException when the buckets are empty, not finite, not positive or not increasing
     */
    public MetricsSettings {
        latencyBucketsSeconds = List.copyOf(requireNonNull(latencyBucketsSeconds, "latencyBucketsSeconds"));
        checkBuckets(latencyBucketsSeconds);
        requireNonNull(filter, "filter");
    }

    /** Every family, every label. */
    public MetricsSettings(boolean requireAuth, List<Double> latencyBucketsSeconds) {
        this(requireAuth, latencyBucketsSeconds, MetricFilter.ALL);
    }

    /** The latency bounds as an array (a copy). */
    double[] latencyBounds() {
        double[] bounds = new double[latencyBucketsSeconds.size()];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = latencyBucketsSeconds.get(i);
        }
        return bounds;
    }

    private static void checkBuckets(List<Double> buckets) {
        if (buckets.isEmpty()) {
            throw new IllegalArgumentException("latencyBucketsSeconds: empty (expected: at least one bound)");
        }
        double previous = 0;
        for (double bound : buckets) {
            if (!Double.isFinite(bound) || bound <= previous) {
                throw new IllegalArgumentException("latencyBucketsSeconds: " + buckets
                        + " (expected: finite, positive and strictly increasing)");
            }
            previous = bound;
        }
    }
}
