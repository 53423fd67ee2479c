package dev.llmproxy.proxy.config;

import dev.llmproxy.proxy.config.Nodes.Entry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The Prometheus keys of {@code litellm_settings}.
 *
 * @param requireAuthForMetrics {@code require_auth_for_metrics_endpoint}: whether {@code /metrics} needs a key
 *     (default false: public, as in LiteLLM before v1.85; see the README)
 * @param latencyBuckets {@code prometheus_latency_buckets}: the latency histograms' upper bounds in seconds, strictly
 *     increasing and without {@code +Inf}, or null for LiteLLM's default
 * @param includeMetrics {@code prometheus_metrics_config}, its groups merged: each listed metric to the labels it
 *     keeps ({@code include_labels}, merged over the groups that list it), or to null when a group listing it keeps
 *     all; null when the key is absent (every metric is exposed)
 * @param excludeMetrics {@code prometheus_exclude_metrics}
 * @param excludeLabels {@code prometheus_exclude_labels}
 */
public record PrometheusSettings(
        boolean requireAuthForMetrics,
        @Nullable List<Double> latencyBuckets,
        @Nullable Map<String, @Nullable List<String>> includeMetrics,
        List<String> excludeMetrics,
        List<String> excludeLabels) {

    /** The keys read here. */
    static final List<String> KEYS = List.of("require_auth_for_metrics_endpoint", "prometheus_latency_buckets",
            "prometheus_metrics_config", "prometheus_exclude_metrics", "prometheus_exclude_labels");

    /** No key set. */
    public static final PrometheusSettings DEFAULTS = new PrometheusSettings(false, null, null, List.of(), List.of());

    public PrometheusSettings {
        latencyBuckets = latencyBuckets == null ? null : List.copyOf(latencyBuckets);
        includeMetrics = includeMetrics == null
                ? null
                : Collections.unmodifiableMap(new LinkedHashMap<>(includeMetrics));
        excludeMetrics = List.copyOf(excludeMetrics);
        excludeLabels = List.copyOf(excludeLabels);
    }

    static PrometheusSettings read(Nodes nodes, Map<String, Entry> settings) {
        Boolean requireAuth = nodes.bool(settings.get("require_auth_for_metrics_endpoint"));
        return new PrometheusSettings(requireAuth != null && requireAuth,
                buckets(nodes, settings.get("prometheus_latency_buckets")),
                includeMetrics(nodes, settings.get("prometheus_metrics_config")),
                names(nodes, settings.get("prometheus_exclude_metrics")),
                names(nodes, settings.get("prometheus_exclude_labels")));
    }

    /** {@code [{group: ..., metrics: [...], include_labels: [...]}, ...]}, merged by metric. */
    private static @Nullable Map<String, @Nullable List<String>> includeMetrics(Nodes nodes, @Nullable Entry entry) {
        if (entry == null || Nodes.isNull(entry.value())) {
            return null;
        }
        Map<String, @Nullable Set<String>> merged = new LinkedHashMap<>();
        List<Node> groups = nodes.sequence(entry.value(), entry.path());
        for (int i = 0; i < groups.size(); i++) {
            String path = entry.path() + '[' + i + ']';
            Map<String, Entry> group = nodes.mapping(groups.get(i), path);
            Entry metrics = group.get("metrics");
            if (metrics == null) {
                throw nodes.error(groups.get(i), Nodes.child(path, "metrics"),
                        "required key is missing (expected the list of metric names of this group)");
            }
            Entry labelsEntry = group.get("include_labels");
            List<String> labels = labelsEntry == null || Nodes.isNull(labelsEntry.value())
                    ? null
                    : names(nodes, labelsEntry);
            for (String metric : names(nodes, metrics)) {
                if (labels == null) {
                    merged.put(metric, null);
                } else if (!merged.containsKey(metric)) {
                    merged.put(metric, new LinkedHashSet<>(labels));
                } else {
                    Set<String> kept = merged.get(metric);
                    if (kept != null) {
                        kept.addAll(labels);
                    }
                }
            }
        }
        Map<String, @Nullable List<String>> result = new LinkedHashMap<>();
        merged.forEach((metric, labels) -> result.put(metric, labels == null ? null : List.copyOf(labels)));
        return result;
    }

    /** A list of non-empty strings; empty when absent. */
    private static List<String> names(Nodes nodes, @Nullable Entry entry) {
        if (entry == null) {
            return List.of();
        }
        List<Node> items = nodes.sequence(entry.value(), entry.path());
        List<String> names = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String path = entry.path() + '[' + i + ']';
            Nodes.Scalar scalar = nodes.scalar(items.get(i), path);
            if (scalar.value() == null || scalar.text().isBlank()) {
                throw nodes.error(items.get(i), path, "expected a name, got nothing");
            }
            names.add(scalar.text().trim());
        }
        return names;
    }

    /** Numbers, increasing, each > 0; a last {@code .inf} (LiteLLM writes {@code float("inf")}) is dropped. */
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
