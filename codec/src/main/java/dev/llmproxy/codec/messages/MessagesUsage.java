package dev.llmproxy.codec.messages;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads the usage of an Anthropic response relayed as it is (a {@code /v1/messages} call to an Anthropic
 * deployment): from a whole {@code message}, or from a stream's {@code message_start} (input and cache tokens) and
 * {@code message_delta} (output tokens, and input tokens when the provider repeats them there). Prompt tokens are
 * counted as LiteLLM counts them: input plus cache reads plus cache writes.
 *
 * <p>Thread-safety: none; one instance per response, confined to its event loop.
 */
public final class MessagesUsage {
    private long inputTokens;
    private long cacheReadTokens;
    private long cacheCreationTokens;
    private long outputTokens;
    private boolean seen;

    /**
     * Reads one stream event's data (or a whole message body); events without usage are skipped cheaply.
     *
     * @param data holds the JSON at {@code [index, index + length)}; not taken, indexes unchanged
     */
    public void read(ByteBuf data, int index, int length) {
        try (JsonParser p = JsonInput.of(data, index, length).parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            readObject(p, 0);
        } catch (JacksonException e) {
            // Relayed untouched either way: an event that is not JSON has no usage to count.
            return;
        }
    }

    /** The usage seen so far, or {@code null} when none was. */
    public @Nullable Usage usage() {
        if (!seen) {
            return null;
        }
        long prompt = Usage.of(Usage.of(inputTokens, cacheReadTokens).totalTokens(), cacheCreationTokens)
                .totalTokens();
        return Usage.of(prompt, outputTokens);
    }

    private void readObject(JsonParser p, int depth) {
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if ("usage".equals(name) && value == JsonToken.START_OBJECT) {
                readUsage(p);
            } else if ("message".equals(name) && value == JsonToken.START_OBJECT && depth == 0) {
                readObject(p, 1);
            } else {
                p.skipChildren();
            }
        }
    }

    private void readUsage(JsonParser p) {
        seen = true;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value != JsonToken.VALUE_NUMBER_INT) {
                p.skipChildren();
                continue;
            }
            long count = Math.max(0, p.getLongValue());
            switch (name) {
                case "input_tokens" -> inputTokens = count;
                case "output_tokens" -> outputTokens = count;
                case "cache_read_input_tokens" -> cacheReadTokens = count;
                case "cache_creation_input_tokens" -> cacheCreationTokens = count;
                default -> {
                    // Other counters (server tool uses) are not tokens.
                }
            }
        }
    }
}
