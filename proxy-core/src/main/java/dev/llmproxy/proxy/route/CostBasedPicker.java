package dev.llmproxy.proxy.route;

/**
 * {@code cost-based-routing}: the cheapest deployment by {@code input_cost_per_token + output_cost_per_token}
 * (configured in {@code litellm_params}, else {@code model_info}; 5.0 + 5.0 without, as LiteLLM prices a model it
 * does not know). Deterministic, as LiteLLM: among equal prices the first in config order; the next cheapest only
 * when the cheapest is at its limits. Thread-safety: immutable.
 */
final class CostBasedPicker extends LowestScorePicker {

    CostBasedPicker(RoutingStats stats) {
        super(stats, false);
    }

    @Override
    double score(DeploymentStats deployment, boolean stream, long nowMillis) {
        return deployment.costPerToken();
    }
}
