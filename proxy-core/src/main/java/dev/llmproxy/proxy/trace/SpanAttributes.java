package dev.llmproxy.proxy.trace;

import java.util.Map;

/**
 * The attribute names of the spans: the OpenTelemetry GenAI semantic conventions ({@code gen_ai.*}, see
 * https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/), the general ones ({@code server.*},
 * {@code http.*}, {@code error.type}), and LiteLLM's own ({@code litellm.*}, {@code metadata.*}) so that queries
 * written against LiteLLM's spans keep working.
 */
final class SpanAttributes {
    static final String OPERATION_NAME = "gen_ai.operation.name";
    static final String PROVIDER_NAME = "gen_ai.provider.name";
    static final String REQUEST_MODEL = "gen_ai.request.model";
    static final String TEMPERATURE = "gen_ai.request.temperature";
    static final String TOP_P = "gen_ai.request.top_p";
    static final String MAX_TOKENS = "gen_ai.request.max_tokens";
    static final String RESPONSE_MODEL = "gen_ai.response.model";
    static final String FINISH_REASONS = "gen_ai.response.finish_reasons";
    static final String INPUT_TOKENS = "gen_ai.usage.input_tokens";
    static final String OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
    /** Not in the conventions; LiteLLM sets it, and MLflow and Langfuse show it. */
    static final String TOTAL_TOKENS = "gen_ai.usage.total_tokens";
    static final String SERVER_ADDRESS = "server.address";
    static final String SERVER_PORT = "server.port";
    static final String HTTP_STATUS = "http.response.status_code";
    static final String ERROR_TYPE = "error.type";

    static final String CALL_ID = "litellm.call_id";
    static final String MODEL_GROUP = "litellm.model_group";
    static final String MODEL_ID = "litellm.model_id";
    static final String PROVIDER_MODEL = "litellm.provider.model";
    static final String STREAMING = "litellm.request.streaming";
    static final String ROUTE = "litellm.request.route";
    static final String ATTEMPTED_RETRIES = "litellm.attempted_retries";
    static final String ATTEMPT = "litellm.attempt";
    /** LiteLLM's request metadata names for the caller (its {@code StandardLoggingPayload} metadata). */
    static final String USER_ID = "metadata.user_api_key_user_id";
    static final String KEY_HASH = "metadata.user_api_key_hash";
    static final String KEY_ALIAS = "metadata.user_api_key_alias";
    static final String TEAM_ID = "metadata.user_api_key_team_id";

    /**
     * LiteLLM's provider prefixes mapped to the conventions' {@code gen_ai.provider.name} values where they differ;
     * a provider not listed is named by its prefix.
     */
    private static final Map<String, String> PROVIDER_NAMES = Map.of(
            "azure", "azure.ai.openai",
            "azure_ai", "azure.ai.inference",
            "bedrock", "aws.bedrock",
            "gemini", "gcp.gemini",
            "vertex_ai", "gcp.vertex_ai",
            "mistral", "mistral_ai",
            "xai", "x_ai",
            "watsonx", "ibm.watsonx.ai");

    private SpanAttributes() {}

    /** The {@code gen_ai.provider.name} of a LiteLLM provider prefix. */
    static String providerName(String litellmProvider) {
        return PROVIDER_NAMES.getOrDefault(litellmProvider, litellmProvider);
    }
}
