package dev.llmproxy.proxy.spend;

/**
 * The per-token prices of a model in USD, as LiteLLM's cost map gives them.
 *
 * @param inputCostPerToken {@code input_cost_per_token}
 * @param outputCostPerToken {@code output_cost_per_token}
 */
public record ModelPrice(double inputCostPerToken, double outputCostPerToken) {

    /** Validates the prices. */
    public ModelPrice {
        check("inputCostPerToken", inputCostPerToken);
        check("outputCostPerToken", outputCostPerToken);
    }

    /** The cost of a call that used these tokens. */
    public double cost(long promptTokens, long completionTokens) {
        return Math.max(0, promptTokens) * inputCostPerToken + Math.max(0, completionTokens) * outputCostPerToken;
    }

    private static void check(String name, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: finite, >= 0)");
        }
    }
}
