package dev.llmproxy.codec.anthropic;

import dev.llmproxy.codec.openai.Usage;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Anthropic's {@code usage} object: input, output, cache read and cache creation tokens. A later report (a stream's
 * {@code message_delta}) overrides the counts it carries and keeps the others.
 *
 * <p>Thread-safety: none; one instance per response.
 */
final class TokenCounts {
    long input;
    long output;
    long cacheRead;
    long cacheCreation;
    boolean seen;

    /** Reads a {@code usage} object; the parser is at its start and is left at its end. */
    void read(JsonParser p) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        seen = true;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value != JsonToken.VALUE_NUMBER_INT) {
                p.skipChildren();
                continue;
            }
            long n = Math.max(0, p.getValueAsLong(0));
            switch (name) {
                case "input_tokens" -> input = n;
                case "output_tokens" -> output = n;
                case "cache_read_input_tokens" -> cacheRead = n;
                case "cache_creation_input_tokens" -> cacheCreation = n;
                default -> {
                    // Other counters (server_tool_use) are not part of OpenAI's usage.
                }
            }
        }
    }

    /**
     * OpenAI's prompt tokens: every input token the request was billed for, read from cache or written to it included
     * (LiteLLM's newer rule; Anthropic's {@code input_tokens} counts only the uncached remainder).
     */
    long promptTokens() {
        return input + cacheRead + cacheCreation;
    }

    Usage toUsage() {
        return Usage.of(promptTokens(), output);
    }
}
