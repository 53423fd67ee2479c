package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.random.RandomGenerator;

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
    private final double[] cumulativeWeights;

    ModelRoute(String modelGroup, List<Target> targets, double[] weights) {
        this.modelGroup = requireNonNull(modelGroup, "modelGroup");
        if (targets.isEmpty() || targets.size() != weights.length) {
            throw new IllegalArgumentException("targets: " + targets.size() + ", weights: " + weights.length
                    + " (expected: the same, > 0)");
        }
        this.targets = targets.toArray(new Target[0]);
        this.cumulativeWeights = cumulate(weights);
    }

    /** The model group name reported in {@code x-litellm-model-group} and metrics (the matched {@code model_name}). */
    public String modelGroup() {
        return modelGroup;
    }

    /** Every target of the group in config order. */
    public List<Target> targets() {
        return List.of(targets);
    }

    /** Picks a target at random by weight; allocates nothing. */
    public Target pick(RandomGenerator random) {
        if (targets.length == 1) {
            return targets[0];
        }
        if (cumulativeWeights.length == 0) {
            return targets[random.nextInt(targets.length)];
        }
        double point = random.nextDouble() * cumulativeWeights[cumulativeWeights.length - 1];
        for (int i = 0; i < cumulativeWeights.length; i++) {
            if (point < cumulativeWeights[i]) {
                return targets[i];
            }
        }
        // Rounding can put the point on the total: take the last target that has weight.
        int last = cumulativeWeights.length - 1;
        while (last > 0 && cumulativeWeights[last - 1] == cumulativeWeights[last]) {
            last--;
        }
        return targets[last];
    }

    /** Running sums of the weights, or an empty array when they sum to 0 (uniform pick). */
    private static double[] cumulate(double[] weights) {
        double[] sums = new double[weights.length];
        double total = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] < 0 || Double.isNaN(weights[i])) {
                throw new IllegalArgumentException("weights[" + i + "]: " + weights[i] + " (expected: >= 0)");
            }
            total += weights[i];
            sums[i] = total;
        }
        return total > 0 ? sums : new double[0];
    }

    @Override
    public String toString() {
        return "ModelRoute[" + modelGroup + ", " + targets.length + " deployment(s)]";
    }
}
