package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The deployments that can serve one requested model, with LiteLLM's simple-shuffle weights. Routes of exact model
 * names and aliases are built once; a wildcard match builds one per request. Thread-safety: immutable.
 *
 * <p>Weights follow LiteLLM's {@code simple_shuffle}: if the group's first deployment sets {@code weight}, every
 * deployment weighs its {@code weight} (0 when absent); else the same with {@code rpm}, else with {@code tpm}; else all
 * weigh the same. A group whose weights sum to 0 is picked from uniformly (LiteLLM raises an error there).
 */
public final class ModelRoute {

    /** The {@code order} argument of {@link #pickIndex} that matches every target. */
    static final int ANY_ORDER = Integer.MIN_VALUE;

    private final String modelGroup;
    private final Target[] targets;
    private final double[] weights;
    /** The distinct {@code order} values of the targets, ascending. */
    private final int[] orders;
    /** No deployment has limits and all share one order: a router may pick with {@link #pick} alone. */
    private final boolean plain;
    private final long longestTimeoutNanos;
    private final long longestStreamTimeoutNanos;

    ModelRoute(String modelGroup, List<Target> targets, double[] weights) {
        this.modelGroup = requireNonNull(modelGroup, "modelGroup");
        if (targets.isEmpty() || targets.size() != weights.length) {
            throw new IllegalArgumentException("targets: " + targets.size() + ", weights: " + weights.length
                    + " (expected: the same, > 0)");
        }
        this.targets = targets.toArray(new Target[0]);
        this.weights = checked(weights);
        long timeout = 0;
        long streamTimeout = 0;
        for (Target target : this.targets) {
            timeout = Math.max(timeout, target.deployment().timeoutNanos());
            streamTimeout = Math.max(streamTimeout, target.deployment().streamTimeoutNanos());
        }
        this.longestTimeoutNanos = timeout;
        this.longestStreamTimeoutNanos = streamTimeout;
        this.orders = distinctOrders(this.targets);
        boolean limited = false;
        for (Target target : this.targets) {
            limited |= target.deployment().limits().isLimited();
        }
        this.plain = orders.length == 1 && !limited;
    }

    /** The model group name reported in {@code x-litellm-model-group} and metrics (the matched {@code model_name}). */
    public String modelGroup() {
        return modelGroup;
    }

    /** Every target of the group in config order. */
    public List<Target> targets() {
        return List.of(targets);
    }

    /**
     * The longest timeout among the group's deployments, for streamed or plain requests: how long a call may keep
     * trying deployments before it answers with the last failure.
     */
    public long longestTimeoutNanos(boolean stream) {
        return stream ? longestStreamTimeoutNanos : longestTimeoutNanos;
    }

    /** Picks a target at random by weight; allocates nothing. */
    public Target pick(RandomGenerator random) {
        Target target = pick(random, null);
        if (target == null) {
            throw new IllegalStateException("a route has at least one target");
        }
        return target;
    }

    /**
     * Picks a target at random by weight among those whose deployment is not in {@code excluded}, or {@code null}
     * when every one is; allocates nothing.
     */
    public @Nullable Target pick(RandomGenerator random, @Nullable TriedDeployments excluded) {
        if (targets.length == 1 && (excluded == null || excluded.size() == 0)) {
            return targets[0];
        }
        int index = pickIndex(random, excluded, 0, null, ANY_ORDER);
        return index < 0 ? null : targets[index];
    }

    /** Whether no deployment has limits and all share one {@code order}, so {@link #pick} is all there is to do. */
    boolean isPlain() {
        return plain;
    }

    /** The number of targets. */
    int size() {
        return targets.length;
    }

    /** Target {@code index}, in config order. */
    Target target(int index) {
        return targets[index];
    }

    /** The distinct {@code order} values of the group, ascending; shared, callers must not modify it. */
    int[] orders() {
        return orders;
    }

    /**
     * Picks by weight among the targets of {@code order} (any, for {@link #ANY_ORDER}) that are neither in
     * {@code excluded} nor marked in {@code skipped} (bit {@code i} for target {@code i < 64}) or
     * {@code skippedAbove64} (index {@code i - 64}); answers the target's index, or -1 when none is left. Allocates
     * nothing.
     */
    int pickIndex(RandomGenerator random, @Nullable TriedDeployments excluded, long skipped,
            boolean @Nullable [] skippedAbove64, int order) {
        double total = 0;
        int lastWeighted = -1;
        int eligible = 0;
        for (int i = 0; i < targets.length; i++) {
            if (!isCandidate(i, excluded, skipped, skippedAbove64, order)) {
                continue;
            }
            eligible++;
            if (weights[i] > 0) {
                total += weights[i];
                lastWeighted = i;
            }
        }
        if (eligible == 0) {
            return -1;
        }
        if (total <= 0) {
            // No weight left: pick uniformly (LiteLLM raises an error for a group whose weights sum to 0).
            int n = random.nextInt(eligible);
            for (int i = 0; i < targets.length; i++) {
                if (isCandidate(i, excluded, skipped, skippedAbove64, order) && n-- == 0) {
                    return i;
                }
            }
        }
        double point = random.nextDouble() * total;
        for (int i = 0; i < targets.length; i++) {
            if (weights[i] <= 0 || !isCandidate(i, excluded, skipped, skippedAbove64, order)) {
                continue;
            }
            point -= weights[i];
            if (point < 0) {
                return i;
            }
        }
        // Rounding can leave the point on the total: take the last eligible target that has weight.
        return lastWeighted;
    }

    /**
     * Whether target {@code i} is of {@code order} (any, for {@link #ANY_ORDER}), not in {@code excluded} and not
     * marked in {@code skipped} (bit {@code i} for {@code i < 64}) or {@code skippedAbove64} (index {@code i - 64}).
     */
    boolean isCandidate(int i, @Nullable TriedDeployments excluded, long skipped,
            boolean @Nullable [] skippedAbove64, int order) {
        if (i < 64 ? (skipped & (1L << i)) != 0 : skippedAbove64 != null && skippedAbove64[i - 64]) {
            return false;
        }
        return (order == ANY_ORDER || targets[i].deployment().order() == order)
                && (excluded == null || !excluded.contains(targets[i].deployment()));
    }

    private static int[] distinctOrders(Target[] targets) {
        int[] orders = new int[targets.length];
        for (int i = 0; i < targets.length; i++) {
            orders[i] = targets[i].deployment().order();
        }
        Arrays.sort(orders);
        int distinct = 0;
        for (int i = 0; i < orders.length; i++) {
            if (i == 0 || orders[i] != orders[i - 1]) {
                orders[distinct++] = orders[i];
            }
        }
        return Arrays.copyOf(orders, distinct);
    }

    private static double[] checked(double[] weights) {
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] < 0 || Double.isNaN(weights[i])) {
                throw new IllegalArgumentException("weights[" + i + "]: " + weights[i] + " (expected: >= 0)");
            }
        }
        return weights.clone();
    }

    @Override
    public String toString() {
        return "ModelRoute[" + modelGroup + ", " + targets.length + " deployment(s)]";
    }
}
