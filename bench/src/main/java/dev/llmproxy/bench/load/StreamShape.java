package dev.llmproxy.bench.load;

import java.nio.charset.StandardCharsets;

/**
 * The wire format of a measured stream, as far as pacing is concerned: which of its events carry content. Every
 * format has events around the content that the upstream sends without a pause of its own (OpenAI's finish chunk,
 * Anthropic's {@code message_start} and {@code content_block_start}, a translated stream's role chunk, the Responses
 * API's {@code response.created} ... {@code response.content_part.added} and its closing events); the mock paces only
 * the content events, so only they are timed (see {@link StreamPlan}).
 *
 * <p>A content event is an SSE event whose data holds the shape's field with a non-empty string value, written as
 * compact JSON (the mock and the proxy write no space before the colon): OpenAI chat chunks (pass-through or
 * translated) {@code "content"}, Responses API events {@code "delta"} (only {@code response.output_text.delta} and
 * {@code response.function_call_arguments.delta} have it), Anthropic's and Gemini's own events {@code "text"} (a
 * {@code content_block_start} or Gemini's closing chunk has it empty).
 */
public enum StreamShape {
    /** OpenAI chat completion chunks, straight from the mock or translated by the proxy. */
    CHAT_CHUNKS("content"),
    /** Responses API events, relayed or bridged. */
    RESPONSES_EVENTS("delta"),
    /** Anthropic Messages events, straight from the mock. */
    ANTHROPIC_EVENTS("text"),
    /** Gemini {@code streamGenerateContent?alt=sse} events, straight from the mock. */
    GEMINI_EVENTS("text");

    private final byte[] key;

    StreamShape(String field) {
        this.key = ('"' + field + "\":").getBytes(StandardCharsets.US_ASCII);
    }

    /** The shape of the stream a request to {@code path} gets, by the API the path belongs to. */
    public static StreamShape of(String path) {
        if (path.startsWith("/v1/responses") || path.startsWith("/responses")) {
            return RESPONSES_EVENTS;
        }
        if (path.startsWith("/v1/messages")) {
            return ANTHROPIC_EVENTS;
        }
        if (path.contains(":streamGenerateContent")) {
            return GEMINI_EVENTS;
        }
        return CHAT_CHUNKS;
    }

    /** The field's name with its quotes and colon, as it appears in compact JSON. */
    byte[] key() {
        return key.clone();
    }
}
