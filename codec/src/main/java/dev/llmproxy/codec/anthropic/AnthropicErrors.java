package dev.llmproxy.codec.anthropic;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.openai.OpenAiJson;
import dev.llmproxy.codec.openai.TranslatedBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Anthropic errors ({@code {"type":"error","error":{"type","message"}}}, in a body or a stream's {@code error} event)
 * as OpenAI errors with the status LiteLLM gives them (provider spec, sections 0 and 1.6).
 *
 * <p>The message is Anthropic's, prefixed {@code AnthropicException - } as LiteLLM does; the OpenAI {@code type} is
 * Anthropic's error type ({@code overloaded_error}, {@code rate_limit_error}...), or {@code api_error} when the body
 * is not an Anthropic error.
 *
 * <p>Thread-safety: stateless.
 */
public final class AnthropicErrors {
    private static final int MAX_QUOTED_BODY_CHARS = 1000;

    private AnthropicErrors() {
    }

    /**
     * The status the client gets for an Anthropic error. The message is looked at first, as LiteLLM does: a context
     * window overflow or a content-policy refusal is a 400, an overload a 500, a bad key a 401. Then the status:
     * 413 → 400, 408 and 504 → 408, 529 (overloaded) → 500, anything below 400 (an error inside a 200) → 500; the
     * others are kept.
     */
    public static int clientStatus(int providerStatus, String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("prompt is too long") || lower.contains("context window") || lower.contains("context length")
                || lower.contains("content filtering policy")) {
            return 400;
        }
        if (lower.contains("overloaded")) {
            return 500;
        }
        if (lower.contains("invalid api key") || lower.contains("invalid x-api-key")) {
            return 401;
        }
        return switch (providerStatus) {
            case 413 -> 400;
            case 408, 504 -> 408;
            case 529 -> 500;
            default -> providerStatus < 400 ? 500 : providerStatus;
        };
    }

    /** The HTTP status Anthropic documents for an error type, for errors that arrive without one (in a stream). */
    static int statusOf(String type) {
        return switch (type) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "billing_error" -> 402;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "timeout_error" -> 504;
            case "overloaded_error" -> 529;
            default -> 500;
        };
    }

    /**
     * Translates an error body. Never throws: a body that is not an Anthropic error (an HTML page from a load
     * balancer, a cut body) becomes an {@code api_error} quoting its first characters.
     *
     * @param body not taken, indexes unchanged
     * @return the OpenAI error, with its body a new buffer from {@code alloc} owned by the caller
     */
    public static TranslatedBody translate(ByteBufAllocator alloc, int providerStatus, ByteBuf body) {
        Error error = read(JsonInput.of(body));
        String message = error != null ? error.message
                : quote(body.toString(body.readerIndex(), body.readableBytes(), StandardCharsets.UTF_8));
        String type = error != null ? error.type : "api_error";
        return of(alloc, providerStatus, type, message);
    }

    /** The OpenAI error for an Anthropic error of {@code type} and {@code message} that came with a status. */
    static TranslatedBody of(ByteBufAllocator alloc, int providerStatus, String type, String message) {
        int status = clientStatus(providerStatus, message + " " + type);
        ByteBuf json = OpenAiJson.error(alloc, status, "AnthropicException - " + message, type, null);
        return new TranslatedBody(json, status, null);
    }

    /** Reads {@code {"type":"error","error":{"type","message"}}}, or returns {@code null} if that is not what it is. */
    static @Nullable Error read(JsonInput input) {
        try (JsonParser p = input.parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Error error = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("error") && value == JsonToken.START_OBJECT) {
                    error = readError(p);
                } else {
                    p.skipChildren();
                }
            }
            return p.nextToken() == null ? error : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    /** Reads the {@code error} object {@code p} is at. */
    static Error readError(JsonParser p) {
        String type = "api_error";
        String message = "";
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("type") && value == JsonToken.VALUE_STRING) {
                type = p.getString();
            } else if (name.equals("message") && value == JsonToken.VALUE_STRING) {
                message = p.getString();
            } else {
                p.skipChildren();
            }
        }
        return new Error(type, message);
    }

    static String quote(String body) {
        String text = body.strip();
        if (text.length() > MAX_QUOTED_BODY_CHARS) {
            text = text.substring(0, MAX_QUOTED_BODY_CHARS) + "...";
        }
        return "Unexpected response from Anthropic: " + (text.isEmpty() ? "(empty body)" : text);
    }

    /** An Anthropic error's type and message. */
    record Error(String type, String message) {
    }
}
