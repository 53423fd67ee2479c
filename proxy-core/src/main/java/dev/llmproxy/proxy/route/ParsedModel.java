package dev.llmproxy.proxy.route;

import dev.llmproxy.proxy.provider.ProviderSpec;
import dev.llmproxy.proxy.provider.Providers;
import org.jspecify.annotations.Nullable;

/**
 * A {@code litellm_params.model} split into provider and upstream model, as LiteLLM's {@code get_llm_provider} does.
 *
 * @param prefix the text before the first {@code /}, or empty when there is none
 * @param provider the provider, or {@code null} when {@code prefix} names no provider LiteLLM knows
 * @param upstreamModel the model sent to the provider
 */
record ParsedModel(String prefix, @Nullable ProviderSpec provider, String upstreamModel) {

    /** The split, or {@code null} for a bare name whose provider cannot be inferred. */
    static @Nullable ParsedModel parse(String model) {
        int slash = model.indexOf('/');
        if (slash > 0) {
            String prefix = model.substring(0, slash);
            ProviderSpec provider = Providers.byName(prefix);
            if (provider != null) {
                return new ParsedModel(prefix, provider, model.substring(slash + 1));
            }
            // LiteLLM then tries the whole name against its model lists (e.g. OpenRouter's "meta-llama/..."),
            // which these prefixes never match; report the prefix as an unknown provider.
            ProviderSpec inferred = Providers.infer(model);
            return inferred != null ? new ParsedModel("", inferred, model) : new ParsedModel(prefix, null, model);
        }
        ProviderSpec inferred = Providers.infer(model);
        return inferred == null ? null : new ParsedModel("", inferred, model);
    }
}
