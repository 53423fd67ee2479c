package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

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

    private final String modelGroup;
    private final Target[] targets;
    private final double[] weights;
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
        if (excluded == null || excluded.size() == 0) {
            return targets.length == 1 ? targets[0] : pickAmong(random, null);
        }
        return pickAmong(random, excluded);
    }

    private @Nullable Target pickAmong(RandomGenerator random, @Nullable TriedDeployments excluded) {
        double total = 0;
        int lastWeighted = -1;
        int eligible = 0;
        for (int i = 0; i < targets.length; i++) {
            if (excluded != null && excluded.contains(targets[i].deployment())) {
                continue;
            }
            eligible++;
            double weight = weights[i];
            if (weight > 0) {
                total += weight;
                lastWeighted = i;
            }
        }
        if (eligible == 0) {
            return null;
        }
        if (total <= 0) {
            // No weight left: pick uniformly (LiteLLM raises an error for a group whose weights sum to 0).
            int n = random.nextInt(eligible);
            for (Target target : targets) {
                if ((excluded == null || !excluded.contains(target.deployment())) && n-- == 0) {
                    return target;
                }
            }
        }
        double point = random.nextDouble() * total;
        for (int i = 0; i < targets.length; i++) {
            if (weights[i] <= 0 || excluded != null && excluded.contains(targets[i].deployment())) {
                continue;
            }
            point -= weights[i];
            if (point < 0) {
                return targets[i];
            }
        }
        // Rounding can leave the point on the total: take the last eligible target that has weight.
        return targets[lastWeighted];
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
