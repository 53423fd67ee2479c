package dev.llmproxy.proxy.route;

import dev.llmproxy.proxy.config.RoutingStrategy;
import dev.llmproxy.proxy.config.RoutingStrategyArgs;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A routing strategy: chooses one deployment among the candidates of a group at one {@code order} level. The router
 * around it decides what a candidate is (not tried by the call, not refused by its limits in this acquire, in
 * rotation) and admits the choice against its limits; when a choice is refused, the strategy is asked again without
 * it.
 *
 * <p>Thread-safety: implementations are immutable and shared by every event loop; they read live figures from
 * {@link RoutingStats} and must not allocate or block.
 */
interface DeploymentPicker {

    /** {@code simple-shuffle}: at random by the group's weights (see {@link ModelRoute}). */
    DeploymentPicker SHUFFLE = (route, random, tried, skipped, skippedAbove64, order, stream, nowMillis) ->
            route.pickIndex(random, tried, skipped, skippedAbove64, order);

    /**
     * The index of the chosen target of {@code route}, or -1 when there is no candidate. A candidate is a target for
     * which {@link ModelRoute#isCandidate} holds with these arguments. The candidate set comes as plain arguments
     * rather than an object so that a pick allocates nothing.
     *
     * @param tried the call's tried deployments, or null
     * @param skipped targets refused in this acquire or out of rotation (bit i for target i < 64)
     * @param skippedAbove64 the same for targets 64 and up, or null for smaller groups
     * @param order the {@code order} level to pick in
     * @param stream whether the call is streamed (latency routing ranks streams by time to first token)
     * @param nowMillis the wall clock of this acquire, epoch milliseconds
     */
    int pick(ModelRoute route, RandomGenerator random, @Nullable TriedDeployments tried, long skipped,
            boolean @Nullable [] skippedAbove64, int order, boolean stream, long nowMillis);

    /** Whether the router must count calls in flight and the minute's usage for this strategy. */
    default boolean tracksLeases() {
        return false;
    }

    /** The strategy LiteLLM names {@code strategy}. */
    static DeploymentPicker of(RoutingStrategy strategy, RoutingStrategyArgs args, RoutingStats stats) {
        return switch (strategy) {
            case SIMPLE_SHUFFLE -> SHUFFLE;
            case LEAST_BUSY -> new LeastBusyPicker(stats);
            case USAGE_BASED_ROUTING, USAGE_BASED_ROUTING_V2 -> new UsageBasedPicker(stats);
            case LATENCY_BASED_ROUTING -> new LatencyBasedPicker(stats, args);
            case COST_BASED_ROUTING -> new CostBasedPicker(stats);
        };
    }
}
