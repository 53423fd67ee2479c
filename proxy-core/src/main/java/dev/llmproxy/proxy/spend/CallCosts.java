package dev.llmproxy.proxy.spend;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ResponseCosts;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.RouteTable;
import org.jspecify.annotations.Nullable;

/**
 * The cost in USD of a call: its usage priced at the answering deployment's price (see {@link DeploymentPrices}). The
 * one computation of a call's cost: {@link SpendListener} charges it, the metrics' {@code litellm_spend_metric}
 * counts it, and, as the calls' {@link ResponseCosts}, it is the {@code x-litellm-response-cost} of the answer; the
 * same usage on the same price table gives all three the same number.
 *
 * <p>Thread-safety: immutable after construction.
 */
public final class CallCosts implements ResponseCosts {
    private final RouteTable routes;
    private final DeploymentPrices prices;

    /** The costs of calls on the deployments of {@code routes}, priced by {@code prices} (resolved here, once). */
    public CallCosts(RouteTable routes, PriceTable prices) {
        this.routes = requireNonNull(routes, "routes");
        this.prices = new DeploymentPrices(routes, requireNonNull(prices, "prices"));
    }

    /** The cost of {@code record}'s call; 0 when no deployment answered, the usage is unknown or unpriced. */
    public double cost(CallRecord record) {
        String deploymentId = record.deploymentId();
        Usage usage = record.usage();
        if (deploymentId == null || usage == null) {
            return 0;
        }
        Deployment deployment = routes.deploymentFor(deploymentId);
        return deployment == null ? 0 : cost(deployment, record.requestedModel(), usage);
    }

    @Override
    public boolean isPriced(Deployment deployment, @Nullable String requestedModel) {
        return prices.isPriced(deployment, requestedModel);
    }

    @Override
    public double cost(Deployment deployment, @Nullable String requestedModel, Usage usage) {
        return prices.cost(deployment, requestedModel, usage.promptTokens(), usage.completionTokens());
    }

    /** A batch's cost: half the deployment's price for its usage (LiteLLM's rule for a model without batch prices). */
    double batchCost(Deployment deployment, @Nullable String model, Usage usage) {
        return prices.cost(deployment, model, usage.promptTokens(), usage.completionTokens()) / 2;
    }
}
