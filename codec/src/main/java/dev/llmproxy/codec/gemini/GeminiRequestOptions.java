package dev.llmproxy.codec.gemini;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * What the encoding of one deployment's requests depends on besides the request itself.
 *
 * <p>Thread-safety: immutable.
 *
 * @param provider the LiteLLM provider name ({@code gemini} or {@code vertex_ai}), for error messages
 * @param model the upstream model name without the provider prefix ({@code gemini-2.5-flash}); chooses between
 *     Gemini 3's {@code thinkingLevel} and older models' {@code thinkingBudget}, and the JSON schema field
 * @param dropParams whether parameters Gemini does not support are dropped rather than refused (the deployment's or
 *     the global {@code drop_params}); a request's own {@code drop_params} can turn it on
 * @param additionalDropParams top-level request parameters always removed ({@code additional_drop_params})
 */
public record GeminiRequestOptions(
        String provider, String model, boolean dropParams, Set<String> additionalDropParams) {

    public GeminiRequestOptions {
        requireNonNull(provider, "provider");
        requireNonNull(model, "model");
        additionalDropParams = Set.copyOf(additionalDropParams);
    }

    /** Whether the model is Gemini 3 or later, which take {@code thinkingLevel} rather than a token budget. */
    boolean usesThinkingLevel() {
        return model.startsWith("gemini-3") || model.contains("/gemini-3");
    }

    /** Whether the model predates JSON Schema output ({@code responseJsonSchema}): Gemini 1.x. */
    boolean usesOpenApiSchema() {
        return model.startsWith("gemini-1") || model.contains("/gemini-1");
    }
}
