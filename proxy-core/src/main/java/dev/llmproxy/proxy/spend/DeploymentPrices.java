package dev.llmproxy.proxy.spend;

import dev.llmproxy.proxy.config.DeploymentConfig;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.RouteTable;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The price of each deployment, resolved once: {@code input_cost_per_token}/{@code output_cost_per_token} in its
 * {@code litellm_params}, else in its {@code model_info}, else the price table's entry for
 * {@code <provider>/<model>}, the bare model, {@code model_info.base_model}, or the {@code litellm_params.model} as
 * written. A wildcard deployment ({@code openai/*}) is priced per call from the model the client asked for.
 *
 * <p>Thread-safety: immutable after construction.
 */
final class DeploymentPrices {
    private final PriceTable table;
    private final Map<String, ModelPrice> byDeployment = new HashMap<>();

    DeploymentPrices(RouteTable routes, PriceTable table) {
        this.table = table;
        for (Deployment deployment : routes.deployments()) {
            ModelPrice price = resolve(deployment);
            if (price != null) {
                byDeployment.put(deployment.id(), price);
            }
        }
    }

    /** The cost of a call on {@code deployment} that used these tokens; 0 when the model has no price. */
    double cost(Deployment deployment, @Nullable String requestedModel, long promptTokens, long completionTokens) {
        ModelPrice price = priceOf(deployment, requestedModel);
        return price == null ? 0 : price.cost(promptTokens, completionTokens);
    }

    /** Whether a call on {@code deployment} can cost anything: it has a price, and not 0 for both kinds of token. */
    boolean isPriced(Deployment deployment, @Nullable String requestedModel) {
        ModelPrice price = priceOf(deployment, requestedModel);
        return price != null && (price.inputCostPerToken() > 0 || price.outputCostPerToken() > 0);
    }

    private @Nullable ModelPrice priceOf(Deployment deployment, @Nullable String requestedModel) {
        ModelPrice price = byDeployment.get(deployment.id());
        if (price == null && deployment.isWildcard() && requestedModel != null) {
            price = lookUp(deployment.provider().name(), stripProvider(requestedModel, deployment.provider().name()));
        }
        return price;
    }

    private @Nullable ModelPrice resolve(Deployment deployment) {
        DeploymentConfig config = deployment.config();
        ModelPrice own = PriceTable.fromEntry(config.litellmParams().extraParams());
        if (own == null) {
            own = PriceTable.fromEntry(config.modelInfo().other());
        }
        if (own != null || deployment.isWildcard()) {
            return own;
        }
        ModelPrice found = lookUp(deployment.provider().name(), deployment.upstreamModel());
        if (found == null && config.modelInfo().other().get("base_model") instanceof String base) {
            found = table.find(base);
        }
        return found != null ? found : table.find(config.litellmParams().model());
    }

    private @Nullable ModelPrice lookUp(String provider, String model) {
        ModelPrice price = table.find(provider + "/" + model);
        return price != null ? price : table.find(model);
    }

    private static String stripProvider(String model, String provider) {
        return model.startsWith(provider + "/") ? model.substring(provider.length() + 1) : model;
    }
}
