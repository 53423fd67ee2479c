package dev.llmproxy.proxy.route;

import dev.llmproxy.proxy.config.RoutingStrategyArgs;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * {@code latency-based-routing}: LiteLLM's {@code lowest_latency} strategy. Each deployment's score is the mean of its
 * latest samples younger than {@code routing_strategy_args.ttl} (time to first token for a streamed call when it has
 * such samples, else the whole call; per completion token when the response reported them; a timeout counts as
 * 1000 s); a deployment without samples scores 0, so new ones are tried first. The pick is at random among the
 * deployments within {@code lowest × (1 + lowest_latency_buffer)}. Thread-safety: immutable.
 */
final class LatencyBasedPicker implements DeploymentPicker {
    private final RoutingStats stats;
    private final long ttlMillis;
    private final double buffer;

    LatencyBasedPicker(RoutingStats stats, RoutingStrategyArgs args) {
        this.stats = stats;
        this.ttlMillis = args.ttl().toMillis();
        this.buffer = args.lowestLatencyBuffer();
    }

    @Override
    public int pick(ModelRoute route, RandomGenerator random, @Nullable TriedDeployments tried, long skipped,
            boolean @Nullable [] skippedAbove64, int order, boolean stream, long nowMillis) {
        long lowest = Long.MAX_VALUE;
        int fastest = -1;
        for (int i = 0; i < route.size(); i++) {
            if (route.isCandidate(i, tried, skipped, skippedAbove64, order)) {
                long latency = latency(route, i, stream, nowMillis);
                if (fastest < 0 || latency < lowest) {
                    lowest = latency;
                    fastest = i;
                }
            }
        }
        if (fastest < 0) {
            return -1;
        }
        double threshold = lowest * (1 + buffer);
        int chosen = -1;
        int seen = 0;
        for (int i = 0; i < route.size(); i++) {
            if (route.isCandidate(i, tried, skipped, skippedAbove64, order)
                    && latency(route, i, stream, nowMillis) <= threshold && random.nextInt(++seen) == 0) {
                chosen = i;
            }
        }
        // Samples recorded by other event loops between the two passes can leave none under the threshold.
        return chosen >= 0 ? chosen : fastest;
    }

    private long latency(ModelRoute route, int index, boolean stream, long nowMillis) {
        return stats.of(route.target(index).deployment()).latencyMicros(stream, nowMillis, ttlMillis);
    }
}
