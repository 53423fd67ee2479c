package dev.llmproxy.codec.gemini;

import org.jspecify.annotations.Nullable;

/** Gemini's {@code finishReason} as OpenAI's {@code finish_reason} (provider spec, section 0). */
final class FinishReasons {
    private FinishReasons() {
    }

    static String finishReason(@Nullable String reason) {
        if (reason == null) {
            return "stop";
        }
        return switch (reason) {
            case "MAX_TOKENS" -> "length";
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "LANGUAGE", "OTHER",
                    "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "IMAGE_OTHER", "NO_IMAGE" ->
                "content_filter";
            default -> "stop";
        };
    }

    /** Whether a candidate that ended for {@code reason} was blocked: its content is withheld. */
    static boolean isBlocked(@Nullable String reason) {
        return reason != null && switch (reason) {
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
                    "IMAGE_PROHIBITED_CONTENT" -> true;
            default -> false;
        };
    }
}
