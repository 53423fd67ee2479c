package dev.llmproxy.proxy.config;

import dev.llmproxy.proxy.config.Nodes.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The Prometheus keys of {@code litellm_settings}.
 *
 * @param requireAuthForMetrics {@code require_auth_for_metrics_endpoint}: whether {@code /metrics} needs a key
 *     (default false: public, as in LiteLLM before v1.85; see the README)
 * @param latencyBuckets {@code prometheus_latency_buckets}: the latency histograms' upper bounds in seconds, strictly
 *     increasing and without {@code +Inf}, or null for LiteLLM's default
 */
public record PrometheusSettings(boolean requireAuthForMetrics, @Nullable List<Double> latencyBuckets) {

    /** The keys read here. */
    static final List<String> KEYS = List.of("require_auth_for_metrics_endpoint", "prometheus_latency_buckets");

    /** Neither key set. */
    public static final PrometheusSettings DEFAULTS = new PrometheusSettings(false, null);

    public PrometheusSettings {
        latencyBuckets = latencyBuckets == null ? null : List.copyOf(latencyBuckets);
    }

    static PrometheusSettings read(Nodes nodes, Map<String, Entry> settings) {
        Boolean requireAuth = nodes.bool(settings.get("require_auth_for_metrics_endpoint"));
        return new PrometheusSettings(requireAuth != null && requireAuth,
                buckets(nodes, settings.get("prometheus_latency_buckets")));
    }

    /** A list of numbers, increasing, each > 0; a last {@code .inf} (LiteLLM writes {@code float("inf")}) is dropped. */
    private static @Nullable List<Double> buckets(Nodes nodes, @Nullable Entry entry) {
        if (entry == null || Nodes.isNull(entry.value())) {
            return null;
        }
        List<Node> items = nodes.sequence(entry.value(), entry.path());
        List<Double> bounds = new ArrayList<>(items.size());
        double previous = 0;
        for (int i = 0; i < items.size(); i++) {
            String path = entry.path() + '[' + i + ']';
            Nodes.Scalar scalar = nodes.scalar(items.get(i), path);
            Double bound = bound(scalar.value());
            boolean last = i == items.size() - 1;
            if (bound != null && bound == Double.POSITIVE_INFINITY && last && i > 0) {
                break;
            }
            if (bound == null || !Double.isFinite(bound) || bound <= previous) {
                throw nodes.error(items.get(i), path, "expected a number of seconds greater than the bound before "
                        + "it (and > 0), got " + scalar.describe());
            }
            bounds.add(bound);
            previous = bound;
        }
        if (bounds.isEmpty()) {
            throw nodes.error(entry.value(), entry.path(), "expected at least one bucket bound in seconds");
        }
        return bounds;
    }

    private static @Nullable Double bound(@Nullable Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof String s) {
            String text = s.trim().toLowerCase(Locale.ROOT);
            if (text.equals("inf") || text.equals("+inf") || text.equals(".inf") || text.equals("infinity")) {
                return Double.POSITIVE_INFINITY;
            }
            try {
                return Double.valueOf(text);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
