package dev.llmproxy.proxy.provider;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The provider prefixes llmproxy recognises, with LiteLLM's defaults. Thread-safety: immutable, static.
 *
 * <p>Base URLs and environment variable names are LiteLLM's. Read in its source (BerriAI/litellm):
 * {@code litellm/litellm_core_utils/get_llm_provider_logic.py}, {@code _get_openai_compatible_provider_info} (github,
 * together_ai, deepseek, nvidia_nim), and {@code _get_openai_compatible_provider_info} in
 * {@code litellm/llms/<provider>/chat/transformation.py} (lm_studio, hosted_vllm, dashscope, moonshot, zai; xai's
 * {@code XAI_API_BASE} variable). Not re-read there, and to be checked against {@code litellm/main.py} and
 * {@code litellm/constants.py}: the openai, openrouter, ollama, groq, mistral, fireworks_ai and perplexity entries,
 * xai's default URL and Azure's default API version.
 */
public final class Providers {

    private static final String AUTHORIZATION = "authorization";
    private static final String BEARER = "Bearer ";

    /**
     * Providers LiteLLM knows (its {@code LlmProviders} enum in {@code litellm/types/utils.py}) that llmproxy does not
     * speak yet. Configs naming them load; requests to them are refused with a 400.
     */
    private static final List<String> NOT_YET_SUPPORTED = List.of(
            "anthropic_text", "vertex_ai_beta", "sagemaker",
            "sagemaker_chat", "cohere_chat", "azure_ai", "azure_text",
            "text-completion-openai",
            "custom_openai", "openai_like", "litellm_proxy", "huggingface", "replicate", "ai21", "ai21_chat", "baseten",
            "vllm", "nlp_cloud", "petals", "oobabooga", "deepinfra", "cerebras", "volcengine", "codestral",
            "text-completion-codestral", "sambanova", "maritalk", "cloudflare", "xinference", "friendliai",
            "watsonx", "watsonx_text", "triton", "predibase", "databricks", "empower", "llamafile", "galadriel",
            "deepgram", "elevenlabs", "novita", "nebius", "assemblyai", "snowflake", "meta_llama",
            "featherless_ai", "nscale", "clarifai", "anyscale", "aiohttp_openai", "v0", "morph",
            "lambda_ai", "hyperbolic", "vercel_ai_gateway", "datarobot", "ovhcloud", "oci", "cometapi", "heroku",
            "wandb", "aiml", "recraft", "docker_model_runner", "minimax", "bytez", "gradient_ai");

    // Declared after NOT_YET_SUPPORTED, which buildTable() reads: static fields initialise in textual order.
    private static final Map<String, ProviderSpec> BY_NAME = buildTable();

    private Providers() {}

    /** The provider named {@code name} (supported or not), or {@code null} when LiteLLM has no such provider. */
    public static @Nullable ProviderSpec byName(String name) {
        return BY_NAME.get(name);
    }

    /** The {@code openai} provider, which every table has. */
    public static ProviderSpec openAi() {
        return Objects.requireNonNull(BY_NAME.get("openai"), "openai");
    }

    /** Every recognised provider, supported ones first, in a stable order. */
    public static Collection<ProviderSpec> all() {
        return BY_NAME.values();
    }

    /** The names of the providers llmproxy can call, for error messages. */
    public static List<String> supportedNames() {
        List<String> names = new ArrayList<>();
        for (ProviderSpec spec : BY_NAME.values()) {
            if (spec.supported()) {
                names.add(spec.name());
            }
        }
        return names;
    }

    /**
     * The provider LiteLLM infers for a model name without a prefix, or {@code null} when it infers none. LiteLLM
     * looks the name up in its model price map ({@code get_llm_provider}); this covers the common families by prefix:
     * {@code gpt-*}, {@code o1*}/{@code o3*}/{@code o4*}, {@code chatgpt-*}, {@code text-embedding-*},
     * {@code davinci*}/{@code babbage*}, {@code dall-e-*}, {@code whisper-*}, {@code tts-*}, {@code omni-moderation*}
     * and {@code ft:gpt-*} → openai; {@code claude-*} → anthropic; {@code gemini-*} → vertex_ai (as LiteLLM does).
     */
    public static @Nullable ProviderSpec infer(String bareModel) {
        String model = bareModel.toLowerCase(Locale.ROOT);
        if (model.startsWith("gpt-") || model.startsWith("o1") || model.startsWith("o3") || model.startsWith("o4")
                || model.startsWith("chatgpt-") || model.startsWith("text-embedding-") || model.startsWith("davinci")
                || model.startsWith("babbage") || model.startsWith("dall-e-") || model.startsWith("whisper-")
                || model.startsWith("tts-") || model.startsWith("omni-moderation") || model.startsWith("ft:gpt-")
                || model.startsWith("gpt-image-")) {
            return BY_NAME.get("openai");
        }
        if (model.startsWith("claude-")) {
            return BY_NAME.get("anthropic");
        }
        if (model.startsWith("gemini-")) {
            return BY_NAME.get("vertex_ai");
        }
        return null;
    }

    private static Map<String, ProviderSpec> buildTable() {
        Map<String, ProviderSpec> table = new LinkedHashMap<>();
        bearer(table, "openai", "https://api.openai.com/v1",
                List.of("OPENAI_BASE_URL", "OPENAI_API_BASE"), List.of("OPENAI_API_KEY"));
        table.put("azure", new ProviderSpec("azure", true, UrlStyle.AZURE, null, List.of("AZURE_API_BASE"),
                List.of("AZURE_API_KEY", "AZURE_OPENAI_API_KEY"), List.of("AZURE_API_VERSION"),
                "2025-02-01-preview", "", "api-key", ""));
        bearer(table, "openrouter", "https://openrouter.ai/api/v1",
                List.of("OPENROUTER_API_BASE"), List.of("OPENROUTER_API_KEY", "OR_API_KEY"));
        bearer(table, "lm_studio", null, List.of("LM_STUDIO_API_BASE"), List.of("LM_STUDIO_API_KEY"));
        bearer(table, "hosted_vllm", null, List.of("HOSTED_VLLM_API_BASE"), List.of("HOSTED_VLLM_API_KEY"));
        for (String ollama : List.of("ollama", "ollama_chat")) {
            // llmproxy calls Ollama's OpenAI-compatible API (<base>/v1), not the native /api/chat LiteLLM uses.
            table.put(ollama, new ProviderSpec(ollama, true, UrlStyle.OPENAI, "http://localhost:11434",
                    List.of("OLLAMA_API_BASE"), List.of("OLLAMA_API_KEY"), List.of(), null, "/v1", AUTHORIZATION,
                    BEARER));
        }
        bearer(table, "deepseek", "https://api.deepseek.com/beta",
                List.of("DEEPSEEK_API_BASE"), List.of("DEEPSEEK_API_KEY"));
        bearer(table, "groq", "https://api.groq.com/openai/v1", List.of("GROQ_API_BASE"), List.of("GROQ_API_KEY"));
        bearer(table, "mistral", "https://api.mistral.ai/v1",
                List.of("MISTRAL_API_BASE"), List.of("MISTRAL_AZURE_API_KEY", "MISTRAL_API_KEY"));
        bearer(table, "xai", "https://api.x.ai/v1", List.of("XAI_API_BASE"), List.of("XAI_API_KEY"));
        bearer(table, "together_ai", "https://api.together.xyz/v1", List.of("TOGETHER_AI_API_BASE"),
                List.of("TOGETHER_API_KEY", "TOGETHER_AI_API_KEY", "TOGETHERAI_API_KEY", "TOGETHER_AI_TOKEN"));
        bearer(table, "fireworks_ai", "https://api.fireworks.ai/inference/v1", List.of("FIREWORKS_API_BASE"),
                List.of("FIREWORKS_API_KEY", "FIREWORKS_AI_API_KEY", "FIREWORKSAI_API_KEY", "FIREWORKS_AI_TOKEN"));
        bearer(table, "dashscope", "https://dashscope.aliyuncs.com/compatible-mode/v1",
                List.of("DASHSCOPE_API_BASE"), List.of("DASHSCOPE_API_KEY"));
        bearer(table, "zai", "https://api.z.ai/api/paas/v4", List.of("ZAI_API_BASE"), List.of("ZAI_API_KEY"));
        // "zhipu" is not a LiteLLM prefix; accepted as another name for Z.AI (Zhipu's GLM models).
        bearer(table, "zhipu", "https://api.z.ai/api/paas/v4", List.of("ZAI_API_BASE"), List.of("ZAI_API_KEY"));
        bearer(table, "moonshot", "https://api.moonshot.ai/v1",
                List.of("MOONSHOT_API_BASE"), List.of("MOONSHOT_API_KEY"));
        bearer(table, "github", "https://models.inference.ai.azure.com",
                List.of("GITHUB_API_BASE"), List.of("GITHUB_API_KEY"));
        bearer(table, "perplexity", "https://api.perplexity.ai",
                List.of("PERPLEXITY_API_BASE"), List.of("PERPLEXITYAI_API_KEY", "PERPLEXITY_API_KEY"));
        bearer(table, "nvidia_nim", "https://integrate.api.nvidia.com/v1",
                List.of("NVIDIA_NIM_API_BASE"), List.of("NVIDIA_NIM_API_KEY"));
        // Messages API (AnthropicAdapter). LiteLLM: litellm/llms/anthropic/common_utils.py (provider spec 1.1).
        table.put("anthropic", new ProviderSpec("anthropic", true, UrlStyle.OPENAI, "https://api.anthropic.com",
                List.of("ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL"), List.of("ANTHROPIC_API_KEY"), List.of(), null, "",
                "x-api-key", ""));
        // Gemini API (GeminiAdapter). LiteLLM: litellm/llms/vertex_ai/common_utils.py, _get_gemini_url and the
        // Gemini key lookup (provider spec 3.1); the key goes in x-goog-api-key.
        table.put("gemini", new ProviderSpec("gemini", true, UrlStyle.OPENAI,
                "https://generativelanguage.googleapis.com", List.of("GEMINI_API_BASE"),
                List.of("GOOGLE_API_KEY", "GEMINI_API_KEY"), List.of(), null, "", "x-goog-api-key", ""));
        // GitHub Copilot: OpenAI's format with CopilotAuth's token and headers (DeploymentFactory). LiteLLM:
        // litellm/llms/github_copilot/ (provider spec 6.4); a base from the cached token comes before the default.
        table.put("github_copilot", new ProviderSpec("github_copilot", true, UrlStyle.OPENAI,
                "https://api.githubcopilot.com", List.of("GITHUB_COPILOT_API_BASE"), List.of(), List.of(), null, "",
                AUTHORIZATION, BEARER));
        // Vertex AI: the host depends on vertex_location (DeploymentFactory), the token on vertex_credentials.
        table.put("vertex_ai", new ProviderSpec("vertex_ai", true, UrlStyle.OPENAI, null, List.of(), List.of(),
                List.of(), null, "", AUTHORIZATION, BEARER));
        // Bedrock Converse (BedrockAdapter): the host depends on the region (DeploymentFactory), requests are signed
        // with SigV4, or carry AWS_BEARER_TOKEN_BEDROCK / api_key as a bearer token (provider spec 5.1).
        table.put("bedrock", new ProviderSpec("bedrock", true, UrlStyle.OPENAI, null,
                List.of("AWS_BEDROCK_RUNTIME_ENDPOINT"), List.of("AWS_BEARER_TOKEN_BEDROCK"), List.of(), null, "",
                AUTHORIZATION, BEARER));
        // Rerank only (RerankAdapter, chosen in DeploymentFactory). LiteLLM: litellm/llms/{cohere,jina_ai,voyage,infinity}/
        // rerank/transformation.py; Cohere's v2 API.
        bearer(table, "cohere", "https://api.cohere.com/v2", List.of("COHERE_API_BASE"),
                List.of("COHERE_API_KEY", "CO_API_KEY"));
        bearer(table, "jina_ai", "https://api.jina.ai/v1", List.of("JINA_AI_API_BASE"), List.of("JINA_AI_API_KEY"));
        bearer(table, "voyage", "https://api.voyageai.com/v1", List.of("VOYAGE_API_BASE"),
                List.of("VOYAGE_API_KEY", "VOYAGE_AI_API_KEY"));
        bearer(table, "infinity", null, List.of("INFINITY_API_BASE"), List.of("INFINITY_API_KEY"));
        for (String name : NOT_YET_SUPPORTED) {
            table.put(name, new ProviderSpec(name, false, UrlStyle.OPENAI, null, List.of(), List.of(), List.of(),
                    null, "", AUTHORIZATION, BEARER));
        }
        return Collections.unmodifiableMap(table);
    }

    private static void bearer(
            Map<String, ProviderSpec> table,
            String name,
            @Nullable String defaultApiBase,
            List<String> apiBaseEnv,
            List<String> apiKeyEnv) {
        table.put(name, new ProviderSpec(name, true, UrlStyle.OPENAI, defaultApiBase, apiBaseEnv, apiKeyEnv,
                List.of(), null, "", AUTHORIZATION, BEARER));
    }
}
