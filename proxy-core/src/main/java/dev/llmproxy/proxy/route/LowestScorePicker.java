package dev.llmproxy.proxy.route;

import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The strategies that rank deployments by a figure and take the lowest: {@code least-busy} (calls in flight),
 * {@code usage-based-routing-v2} (tokens this minute), {@code cost-based-routing} (price per token). Ties are broken at
 * random (by reservoir sampling, so nothing is allocated), except where LiteLLM breaks them by config order.
 * Thread-safety: immutable.
 */
abstract class LowestScorePicker implements DeploymentPicker {
    final RoutingStats stats;
    private final boolean randomTies;

    LowestScorePicker(RoutingStats stats, boolean randomTies) {
        this.stats = stats;
        this.randomTies = randomTies;
    }

    /** The figure to rank target {@code index} by; lower is better. */
    abstract double score(DeploymentStats deployment, boolean stream, long nowMillis);

    @Override
    public final int pick(ModelRoute route, RandomGenerator random, @Nullable TriedDeployments tried, long skipped,
            boolean @Nullable [] skippedAbove64, int order, boolean stream, long nowMillis) {
        int best = -1;
        double lowest = Double.POSITIVE_INFINITY;
        int ties = 0;
        for (int i = 0; i < route.size(); i++) {
            if (!route.isCandidate(i, tried, skipped, skippedAbove64, order)) {
                continue;
            }
            double score = score(stats.of(route.target(i).deployment()), stream, nowMillis);
            if (best < 0 || score < lowest) {
                best = i;
                lowest = score;
                ties = 1;
            } else if (score == lowest && randomTies && random.nextInt(++ties) == 0) {
                best = i;
            }
        }
        return best;
    }
}
