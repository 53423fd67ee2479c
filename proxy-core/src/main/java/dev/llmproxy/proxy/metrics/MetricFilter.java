package dev.llmproxy.proxy.metrics;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which families are exposed and with which labels, as LiteLLM's {@code prometheus_metrics_config} (an include list)
 * and {@code prometheus_exclude_metrics} / {@code prometheus_exclude_labels} (deny lists, which win) decide. A family
 * keeps its default labels minus the excluded ones, intersected with its {@code include_labels} when listed. Fewer
 * labels mean fewer series: the values of the dropped labels are added up.
 *
 * @param include metric name (as declared, without {@code _total}) to the labels to keep, or to null for all of its
 *     default labels; a null map includes every metric
 * @param excludeMetrics metric names never exposed
 * @param excludeLabels label names dropped from every metric
 */
public record MetricFilter(
        @Nullable Map<String, @Nullable List<String>> include, Set<String> excludeMetrics, Set<String> excludeLabels) {

    /** Every family with every default label. */
    public static final MetricFilter ALL = new MetricFilter(null, Set.of(), Set.of());

    public MetricFilter {
        excludeMetrics = Set.copyOf(requireNonNull(excludeMetrics, "excludeMetrics"));
        excludeLabels = Set.copyOf(requireNonNull(excludeLabels, "excludeLabels"));
    }

    /** The label names {@code metric} keeps, in the order of {@code defaults}, or null when it is not exposed. */
    String @Nullable [] labels(String metric, String[] defaults) {
        if (excludeMetrics.contains(metric)) {
            return null;
        }
        List<String> wanted = null;
        if (include != null) {
            if (!include.containsKey(metric)) {
                return null;
            }
            wanted = include.get(metric);
        }
        List<String> kept = new ArrayList<>(defaults.length);
        for (String label : defaults) {
            if ((wanted == null || wanted.contains(label)) && !excludeLabels.contains(label)) {
                kept.add(label);
            }
        }
        return kept.toArray(new String[0]);
    }
}
