package dev.llmproxy.codec.anthropic;

import org.jspecify.annotations.Nullable;

/** Anthropic's {@code stop_reason} as OpenAI's {@code finish_reason} (provider spec, section 0). */
final class StopReasons {
    private StopReasons() {
    }

    static String finishReason(@Nullable String stopReason) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded", "compaction" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal", "content_filtered" -> "content_filter";
            default -> "stop";
        };
    }
}
