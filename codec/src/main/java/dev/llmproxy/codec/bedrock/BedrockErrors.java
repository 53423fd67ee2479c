package dev.llmproxy.codec.bedrock;

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
 * Bedrock errors in OpenAI's shape (provider spec, sections 0, 5.5 and 5.7): an error body ({@code {"message": …}},
 * its kind in the {@code x-amzn-ErrorType} header and its status already right: ThrottlingException 429,
 * AccessDeniedException 403...) or an {@code exception} message inside a ConverseStream, whose
 * {@code :exception-type} gives the status.
 *
 * <p>Thread-safety: stateless.
 */
public final class BedrockErrors {
    private static final int MAX_QUOTED_BODY_CHARS = 1000;

    private BedrockErrors() {
    }

    /**
     * The status the client gets: a context-window overflow is a 400 whatever Bedrock said; then 413 → 400, 408 and
     * 504 → 408, anything below 400 → 500; the others are kept (LiteLLM's exception mapping).
     */
    public static int clientStatus(int providerStatus, String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("too many input tokens") || lower.contains("input is too long")
                || lower.contains("prompt is too long") || lower.contains("context window")
                || lower.contains("maximum context length")) {
            return 400;
        }
        return switch (providerStatus) {
            case 413 -> 400;
            case 408, 504 -> 408;
            default -> providerStatus < 400 ? 500 : providerStatus;
        };
    }

    /** The HTTP status of a ConverseStream {@code :exception-type} (Bedrock's API reference). */
    public static int exceptionStatus(String exceptionType) {
        return switch (exceptionType) {
            case "throttlingException", "modelNotReadyException" -> 429;
            case "validationException", "serviceQuotaExceededException" -> 400;
            case "accessDeniedException" -> 403;
            case "resourceNotFoundException" -> 404;
            case "modelTimeoutException" -> 408;
            case "modelStreamErrorException", "modelErrorException" -> 424;
            case "serviceUnavailableException" -> 503;
            default -> 500;
        };
    }

    /**
     * Translates an error body. Never throws: a body that is not Bedrock's JSON becomes an error quoting its start.
     *
     * @param body not taken, indexes unchanged
     * @return the OpenAI error, its body a new buffer owned by the caller
     */
    public static TranslatedBody translate(ByteBufAllocator alloc, int providerStatus, ByteBuf body) {
        String message = message(body);
        if (message == null) {
            String text = body.toString(body.readerIndex(), body.readableBytes(), StandardCharsets.UTF_8).strip();
            if (text.length() > MAX_QUOTED_BODY_CHARS) {
                text = text.substring(0, MAX_QUOTED_BODY_CHARS) + "...";
            }
            message = "Unexpected response from Bedrock: " + (text.isEmpty() ? "(empty body)" : text);
        }
        return of(alloc, providerStatus, message);
    }

    /** The OpenAI error for Bedrock's {@code message} that came with {@code providerStatus}. */
    public static TranslatedBody of(ByteBufAllocator alloc, int providerStatus, String message) {
        int status = clientStatus(providerStatus, message);
        ByteBuf json = OpenAiJson.error(alloc, status, "BedrockException - " + message, typeOf(status), null);
        return new TranslatedBody(json, status, null);
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

    /** The {@code message} (or {@code Message}) of a Bedrock error object, or {@code null}. */
    static @Nullable String message(ByteBuf body) {
        try (JsonParser p = JsonInput.of(body).parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String message = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ((name.equals("message") || name.equals("Message")) && value == JsonToken.VALUE_STRING) {
                    message = p.getString();
                } else {
                    p.skipChildren();
                }
            }
            return p.nextToken() == null ? message : null;
        } catch (JacksonException e) {
            return null;
        }
    }
}
