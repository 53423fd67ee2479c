package dev.llmproxy.proxy.trace;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;

import io.opentelemetry.api.common.AttributeKey;
import java.util.Map;

/**
 * The attribute names of the spans: the OpenTelemetry GenAI semantic conventions ({@code gen_ai.*}, see
 * https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/), the general ones ({@code server.*},
 * {@code http.*}, {@code error.type}), and LiteLLM's own ({@code litellm.*}) so that queries written against LiteLLM's
 * spans keep working.
 */
final class SpanAttributes {
    static final AttributeKey<String> OPERATION_NAME = stringKey("gen_ai.operation.name");
    static final AttributeKey<String> PROVIDER_NAME = stringKey("gen_ai.provider.name");
    static final AttributeKey<String> REQUEST_MODEL = stringKey("gen_ai.request.model");
    static final AttributeKey<Long> INPUT_TOKENS = longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = longKey("gen_ai.usage.output_tokens");
    /** Not in the conventions; LiteLLM sets it, and MLflow and Langfuse show it. */
    static final AttributeKey<Long> TOTAL_TOKENS = longKey("gen_ai.usage.total_tokens");
    static final AttributeKey<String> SERVER_ADDRESS = stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = longKey("server.port");
    static final AttributeKey<Long> HTTP_STATUS = longKey("http.response.status_code");
    static final AttributeKey<String> ERROR_TYPE = stringKey("error.type");

    static final AttributeKey<String> CALL_ID = stringKey("litellm.call_id");
    static final AttributeKey<String> MODEL_GROUP = stringKey("litellm.model_group");
    static final AttributeKey<String> MODEL_ID = stringKey("litellm.model_id");
    static final AttributeKey<String> PROVIDER_MODEL = stringKey("litellm.provider.model");
    static final AttributeKey<Boolean> STREAMING = booleanKey("litellm.request.streaming");
    static final AttributeKey<String> ROUTE = stringKey("litellm.request.route");
    static final AttributeKey<Long> ATTEMPTED_RETRIES = longKey("litellm.attempted_retries");
    static final AttributeKey<String> USER_ID = stringKey("metadata.user_api_key_user_id");
    static final AttributeKey<Long> ATTEMPT = longKey("litellm.attempt");

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
