package dev.llmproxy.proxy.metrics;

import dev.llmproxy.proxy.provider.BaseUrl;
import dev.llmproxy.proxy.route.Deployment;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The label values that name a deployment, resolved once per deployment from the route table: {@code model_id},
 * {@code litellm_model_name} (the configured {@code litellm_params.model}), {@code model} (the model after the
 * provider prefix), {@code model_group}, {@code api_base} and {@code api_provider}. Compared by identity in the
 * series keys.
 *
 * <p>Thread-safety: immutable.
 */
final class DeploymentLabels {
    /** Spreads instances over a direct-mapped cache (see {@link CallerLabels#seed}). */
    private static final AtomicInteger SEEDS = new AtomicInteger();
    /** A deployment id the route table does not know (never expected: records name the table's deployments). */
    static final DeploymentLabels UNKNOWN = new DeploymentLabels(Labels.NONE, Labels.NONE, Labels.NONE, Labels.NONE,
            Labels.NONE, Labels.NONE, false);

    /** The labels of {@code deployment}, computed once when the metrics are built. */
    static DeploymentLabels of(Deployment deployment) {
        BaseUrl base = deployment.baseUrl();
        String apiBase = base == null || deployment.isMock() ? Labels.NONE : base.toString();
        return new DeploymentLabels(deployment.id(), deployment.config().litellmParams().model(),
                deployment.upstreamModel(), deployment.modelGroup(), apiBase, deployment.provider().name(),
                deployment.isWildcard());
    }

    final int seed = SEEDS.getAndIncrement() * 0x85EBCA6B;
    final String modelId;
    final String litellmModelName;
    final String model;
    final String modelGroup;
    final String apiBase;
    final String apiProvider;
    /** Whether the upstream model is a pattern filled from the request ({@code openai/*}). */
    final boolean wildcard;
    /** The provider as LiteLLM prefixes exception classes ({@code str.capitalize()}): {@code Openai}. */
    final String exceptionPrefix;

    private DeploymentLabels(String modelId, String litellmModelName, String model, String modelGroup,
            String apiBase, String apiProvider, boolean wildcard) {
        this.modelId = modelId;
        this.litellmModelName = litellmModelName;
        this.model = model;
        this.modelGroup = modelGroup;
        this.apiBase = apiBase;
        this.apiProvider = apiProvider;
        this.wildcard = wildcard;
        this.exceptionPrefix = capitalize(apiProvider);
    }

    /** Python's {@code str.capitalize()}: first character upper case, the rest lower case. */
    static String capitalize(String text) {
        if (text.isEmpty()) {
            return text;
        }
        return text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1).toLowerCase(Locale.ROOT);
    }
}
