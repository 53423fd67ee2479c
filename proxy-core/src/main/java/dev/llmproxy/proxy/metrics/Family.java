package dev.llmproxy.proxy.metrics;

import io.prometheus.metrics.core.datapoints.DataPoint;
import io.prometheus.metrics.core.metrics.StatefulMetric;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * One metric family as configured: the client's metric and the label names it keeps after filtering, or off (not
 * registered, its data points null).
 *
 * <p>Thread-safety: immutable; the metric is the client's thread-safe one.
 *
 * @param <D> the data point type
 */
final class Family<D extends DataPoint> {
    private static final String[] NO_LABELS = {};

    private final @Nullable StatefulMetric<D, ?> metric;
    private final String[] labelNames;

    private Family(@Nullable StatefulMetric<D, ?> metric, String[] labelNames) {
        this.metric = metric;
        this.labelNames = labelNames;
    }

    static <D extends DataPoint> Family<D> of(StatefulMetric<D, ?> metric, String[] labelNames) {
        return new Family<>(metric, labelNames.clone());
    }

    static <D extends DataPoint> Family<D> off() {
        return new Family<>(null, NO_LABELS);
    }

    /**
     * The data point whose label values {@code values} gives for each kept label name, or null when the family is
     * off. Looks the values up in the client's map: for building series holders, not for each request.
     */
    @Nullable D point(UnaryOperator<String> values) {
        StatefulMetric<D, ?> family = metric;
        if (family == null) {
            return null;
        }
        return family.labelValues(labelValues(values));
    }

    /** Removes the data point whose label values {@code values} gives, if there is one (a gauge whose value is gone). */
    void remove(UnaryOperator<String> values) {
        StatefulMetric<D, ?> family = metric;
        if (family != null) {
            family.remove(labelValues(values));
        }
    }

    private String[] labelValues(UnaryOperator<String> values) {
        String[] labelValues = new String[labelNames.length];
        for (int i = 0; i < labelNames.length; i++) {
            labelValues[i] = values.apply(labelNames[i]);
        }
        return labelValues;
    }
}
