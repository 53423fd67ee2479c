package dev.llmproxy.proxy.spend;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.RouteTable;

/**
 * The cost in USD of a call as its record tells it: the usage priced at the answering deployment's price (see
 * {@link DeploymentPrices}), the same figure {@link SpendListener} charges; for those who report spend without
 * recording it (the metrics' {@code litellm_spend_metric}).
 *
 * <p>Thread-safety: immutable after construction.
 */
public final class CallCosts {
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
        return deployment == null
                ? 0
                : prices.cost(deployment, record.requestedModel(), usage.promptTokens(), usage.completionTokens());
    }
}
