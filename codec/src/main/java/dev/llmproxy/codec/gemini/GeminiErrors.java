package dev.llmproxy.codec.gemini;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.openai.OpenAiJson;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.sse.SseEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Google API errors ({@code {"error": {"code", "message", "status"}}}, in a body or inside a 200 stream) as OpenAI
 * errors with the status LiteLLM gives them (provider spec, sections 0 and 3.7).
 *
 * <p>The message is Google's, prefixed with the exception name LiteLLM uses ({@code GeminiException - },
 * {@code VertexAIException - }); the OpenAI {@code type} follows the status ({@code invalid_request_error},
 * {@code authentication_error}, {@code rate_limit_error}...).
 *
 * <p>Thread-safety: stateless.
 */
public final class GeminiErrors {
    private static final int MAX_QUOTED_BODY_CHARS = 1000;

    private GeminiErrors() {
    }

    /**
     * The status the client gets for a Google error. The message is looked at first, as LiteLLM does: an invalid API
     * key (which Google answers with 400) is a 401, a context window overflow a 400. Then the status: 413 → 400,
     * 408 and 504 → 408, anything below 400 (an error inside a 200 stream without a code) → 500; the others are
     * kept.
     */
    public static int clientStatus(int providerStatus, String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("api key not valid") || lower.contains("api_key_invalid")) {
            return 401;
        }
        if (lower.contains("exceeds the maximum number of tokens") || lower.contains("context window")) {
            return 400;
        }
        return switch (providerStatus) {
            case 413 -> 400;
            case 408, 504 -> 408;
            default -> providerStatus < 400 ? 500 : providerStatus;
        };
    }

    /**
     * Translates an error body. Never throws: a body that is not a Google error (an HTML page from a load balancer, a
     * cut body) becomes an error quoting its first characters.
     *
     * @param body not taken, indexes unchanged
     * @param exceptionName {@code Gemini} or {@code VertexAI}, for the message prefix
     * @return the OpenAI error, its body a new buffer owned by the caller
     */
    public static TranslatedBody translate(ByteBufAllocator alloc, int providerStatus, ByteBuf body,
            String exceptionName) {
        GoogleError error = read(JsonInput.of(body));
        String message = error != null ? error.message() : quote(exceptionName,
                body.toString(body.readerIndex(), body.readableBytes(), StandardCharsets.UTF_8));
        return of(alloc, providerStatus, message, exceptionName);
    }

    /** The OpenAI error for Google's {@code message} that came with {@code providerStatus}. */
    static TranslatedBody of(ByteBufAllocator alloc, int providerStatus, String message, String exceptionName) {
        int status = clientStatus(providerStatus, message);
        ByteBuf json = OpenAiJson.error(alloc, status, exceptionName + "Exception - " + message, typeOf(status), null);
        return new TranslatedBody(json, status, null);
    }

    /** An SSE event carrying the OpenAI error, for a stream that fails after it started. */
    static ByteBuf event(ByteBufAllocator alloc, int providerStatus, String message, String exceptionName) {
        ByteBuf json = of(alloc, providerStatus, message, exceptionName).body();
        try {
            return SseEvents.data(alloc, json);
        } finally {
            json.release();
        }
    }

    static String typeOf(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 408 -> "timeout";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    static String quote(String exceptionName, String body) {
        String text = body.strip();
        if (text.length() > MAX_QUOTED_BODY_CHARS) {
            text = text.substring(0, MAX_QUOTED_BODY_CHARS) + "...";
        }
        String source = exceptionName.equals("VertexAI") ? "Vertex AI" : exceptionName;
        return "Unexpected response from " + source + ": " + (text.isEmpty() ? "(empty body)" : text);
    }

    /**
     * Reads {@code {"error": {...}}}, or {@code [{"error": {...}}]} (the form Google's streaming endpoint uses), or
     * returns {@code null} if that is not what it is.
     */
    static @Nullable GoogleError read(JsonInput input) {
        try (JsonParser p = input.parser()) {
            JsonToken first = p.nextToken();
            boolean array = first == JsonToken.START_ARRAY;
            if ((array && p.nextToken() != JsonToken.START_OBJECT) || (!array && first != JsonToken.START_OBJECT)) {
                return null;
            }
            GoogleError error = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("error") && value == JsonToken.START_OBJECT) {
                    error = GoogleError.read(p);
                } else {
                    p.skipChildren();
                }
            }
            if (array) {
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    p.skipChildren();
                }
            }
            return p.nextToken() == null ? error : null;
        } catch (JacksonException e) {
            return null;
        }
    }
}
