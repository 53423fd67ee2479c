package dev.llmproxy.codec.gemini;

import dev.llmproxy.codec.internal.JsonText;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Gemini's {@code usageMetadata}: prompt, candidates, thoughts, cached and total token counts. In a stream every chunk
 * may carry the running totals; the last report wins.
 *
 * <p>OpenAI's completion tokens are the candidates' tokens plus the thinking tokens: Gemini counts thoughts apart from
 * the candidates but bills them as output. When the total already equals prompt plus candidates (a model that counts
 * thoughts inside the candidates), thoughts are not added a second time (LiteLLM's rule).
 *
 * <p>Thread-safety: none; one instance per response.
 */
final class UsageMetadata {
    private static final byte[] PROMPT = ascii("{\"prompt_tokens\":");
    private static final byte[] COMPLETION = ascii(",\"completion_tokens\":");
    private static final byte[] TOTAL = ascii(",\"total_tokens\":");
    private static final byte[] CACHED = ascii(",\"prompt_tokens_details\":{\"cached_tokens\":");
    private static final byte[] REASONING = ascii("},\"completion_tokens_details\":{\"reasoning_tokens\":");
    private static final byte[] END = ascii("}}");

    long prompt;
    long candidates;
    long thoughts;
    long cached;
    long total = -1;
    boolean seen;

    /** Reads a {@code usageMetadata} object; the parser is at its start and is left at its end. */
    void read(JsonParser p) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        seen = true;
        prompt = 0;
        candidates = 0;
        thoughts = 0;
        cached = 0;
        total = -1;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value != JsonToken.VALUE_NUMBER_INT) {
                p.skipChildren();
                continue;
            }
            long n = Math.max(0, p.getValueAsLong(0));
            switch (name) {
                case "promptTokenCount" -> prompt = n;
                case "candidatesTokenCount" -> candidates = n;
                case "thoughtsTokenCount" -> thoughts = n;
                case "cachedContentTokenCount" -> cached = n;
                case "totalTokenCount" -> total = n;
                default -> {
                    // toolUsePromptTokenCount and per-modality details have no OpenAI field.
                }
            }
        }
    }

    long completionTokens() {
        boolean thoughtsInCandidates = total >= 0 && prompt + candidates == total;
        return candidates + (thoughtsInCandidates ? 0 : thoughts);
    }

    long totalTokens() {
        return Math.max(total, prompt + completionTokens());
    }

    Usage toUsage() {
        return new Usage(prompt, completionTokens(), totalTokens());
    }

    /** Writes OpenAI's usage object (the value only). */
    void writeTo(ByteBuf out) {
        out.writeBytes(PROMPT);
        JsonText.writeLong(out, prompt);
        out.writeBytes(COMPLETION);
        JsonText.writeLong(out, completionTokens());
        out.writeBytes(TOTAL);
        JsonText.writeLong(out, totalTokens());
        out.writeBytes(CACHED);
        JsonText.writeLong(out, cached);
        out.writeBytes(REASONING);
        JsonText.writeLong(out, thoughts);
        out.writeBytes(END);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
