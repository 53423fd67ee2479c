package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.bench.load.StreamResult;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the {@link Scenario#FEATURES} scenario measured for one feature: its runs (requests or streams, one per repeat)
 * and, if it has counters, their differences over each run's window divided by the window (per second).
 *
 * <p>Thread-safety: immutable.
 */
public record FeaturePoint(Feature feature, @Nullable Repeats<LatencyRun> requests,
        @Nullable Repeats<StreamResult> streams, List<Map<String, Double>> countersPerSecond) {

    /** Validates the point: requests for a request feature, streams for a stream feature. */
    public FeaturePoint {
        requireNonNull(feature, "feature");
        countersPerSecond = List.copyOf(countersPerSecond);
        if ((feature.kind() == Feature.Kind.REQUESTS) != (requests != null) || (requests == null) == (streams == null)) {
            throw new IllegalArgumentException("feature " + feature.name() + ": runs of the wrong kind");
        }
    }

    /** CPU-seconds per 10,000 answered requests (2xx and, for a rate-limited feature, 429s) in one run; NaN if unknown. */
    public static double cpuSecondsPer10kAnswered(LatencyRun run) {
        Double cpu = run.cpuSeconds();
        long answered = run.result().completed() + run.result().rateLimited();
        return cpu == null || answered == 0 ? Double.NaN : cpu * 10_000 / answered;
    }
}
