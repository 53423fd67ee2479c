package dev.llmproxy.proxy.health;

import dev.llmproxy.proxy.config.DeploymentConfig;
import dev.llmproxy.proxy.provider.Endpoint;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The cheapest request of each {@code model_info.mode} llmproxy can send: one token of chat or text completion, or
 * the embedding of one word. The model in the body is a placeholder the provider adapter replaces.
 */
enum ProbeMode {
    CHAT("chat", Endpoint.CHAT_COMPLETIONS,
            "{\"model\":\"probe\",\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}],\"max_tokens\":1}"),
    COMPLETION("completion", Endpoint.COMPLETIONS, "{\"model\":\"probe\",\"prompt\":\"ping\",\"max_tokens\":1}"),
    EMBEDDING("embedding", Endpoint.EMBEDDINGS, "{\"model\":\"probe\",\"input\":\"ping\"}");

    private final String configName;
    private final Endpoint endpoint;
    private final byte[] body;

    ProbeMode(String configName, Endpoint endpoint, String body) {
        this.configName = configName;
        this.endpoint = endpoint;
        this.body = body.getBytes(StandardCharsets.UTF_8);
    }

    String configName() {
        return configName;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /** The probe's OpenAI-format body; shared, callers must not modify it. */
    byte[] body() {
        return body;
    }

    /**
     * The mode of {@code config} ({@code model_info.mode}, chat when absent as in LiteLLM), or null for a mode
     * llmproxy cannot probe.
     */
    static @Nullable ProbeMode of(DeploymentConfig config) {
        Object mode = config.modelInfo().other().get("mode");
        if (mode == null) {
            return CHAT;
        }
        String name = mode.toString().trim().toLowerCase(Locale.ROOT);
        for (ProbeMode probe : values()) {
            if (probe.configName.equals(name)) {
                return probe;
            }
        }
        return null;
    }
}
