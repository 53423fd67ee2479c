package dev.llmproxy.codec.bedrock;

import org.jspecify.annotations.Nullable;

/** Converse {@code stopReason} → OpenAI {@code finish_reason} (provider spec, section 0). Thread-safety: stateless. */
final class StopReasons {
    private StopReasons() {
    }

    static String finishReason(@Nullable String stopReason) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "tool_use" -> "tool_calls";
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "guardrail_intervened", "content_filtered" -> "content_filter";
            default -> "stop";
        };
    }
}
