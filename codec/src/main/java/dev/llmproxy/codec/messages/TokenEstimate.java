package dev.llmproxy.codec.messages;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.openai.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Estimates the input tokens of an Anthropic {@code count_tokens} request for a model whose provider has no token
 * counting API this proxy calls, without a tokenizer: one token per {@value #CHARS_PER_TOKEN} characters of the text
 * in {@code system}, {@code messages} and {@code tools} (string values, numbers and booleans; in {@code tools} also
 * the schemas' field names, which the model reads too), plus {@value #MEDIA_TOKENS} for each media {@code source}
 * (an image or a document: the most one image costs at Claude's default size), whose base64 data is never counted as
 * text. The rule of thumb of four characters per token holds for English prose with the BPE tokenizers of every major
 * provider; code, other scripts and numbers take more tokens. LiteLLM counts such models with tiktoken's
 * {@code cl100k_base}, which is no closer for a model that does not use it.
 *
 * <p>Thread-safety: stateless.
 */
public final class TokenEstimate {
    /** Characters per token of the estimate. */
    public static final int CHARS_PER_TOKEN = 4;
    /** Tokens counted for one image or document {@code source}. */
    public static final int MEDIA_TOKENS = 1_600;

    private static final byte[] HEAD = "{\"input_tokens\":".getBytes(StandardCharsets.US_ASCII);

    private TokenEstimate() {
    }

    /**
     * The estimated input tokens of the request {@code body}.
     *
     * @param body an Anthropic Messages request; not taken, its indexes unchanged
     * @throws InvalidRequestException when the body is not a JSON object
     */
    public static int inputTokens(ByteBuf body) {
        JsonInput input = JsonInput.of(body);
        long chars = 0;
        long media = 0;
        try (JsonParser p = input.parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRequestException("The request body must be a JSON object", null);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "system", "messages", "tools" -> {
                        Counts counts = new Counts(name.equals("tools"));
                        counts.value(p);
                        chars += counts.chars;
                        media += counts.media;
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new InvalidRequestException("The request body must be one JSON object", null);
            }
        } catch (JacksonException e) {
            throw new InvalidRequestException("The request body is not valid JSON: " + e.getOriginalMessage(), null);
        }
        long tokens = (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN + media * MEDIA_TOKENS;
        return (int) Math.min(tokens, Integer.MAX_VALUE);
    }

    /**
     * Anthropic's answer to {@code count_tokens}: {@code {"input_tokens":N}}.
     *
     * @return a new buffer owned by the caller
     */
    public static ByteBuf body(ByteBufAllocator alloc, int inputTokens) {
        ByteBuf out = alloc.buffer(HEAD.length + 12);
        out.writeBytes(HEAD);
        out.writeCharSequence(Integer.toString(inputTokens), StandardCharsets.US_ASCII);
        out.writeByte('}');
        return out;
    }

    /** The text and media of one top-level field. */
    private static final class Counts {
        private final boolean namesCount;
        private long chars;
        private long media;

        Counts(boolean namesCount) {
            this.namesCount = namesCount;
        }

        /** Counts the value the parser is at, leaving it on the value's last token. */
        void value(JsonParser p) {
            JsonToken token = p.currentToken();
            if (token == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    JsonToken next = p.nextToken();
                    if (name.equals("source") && next == JsonToken.START_OBJECT) {
                        media++;
                        p.skipChildren();
                        continue;
                    }
                    if (namesCount) {
                        chars += name.length();
                    }
                    value(p);
                }
            } else if (token == JsonToken.START_ARRAY) {
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    value(p);
                }
            } else if (token != JsonToken.VALUE_NULL) {
                chars += p.getText().length();
            }
        }
    }
}
