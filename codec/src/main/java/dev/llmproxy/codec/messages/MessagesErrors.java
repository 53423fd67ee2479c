package dev.llmproxy.codec.messages;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.JsonText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Anthropic's error shape, {@code {"type":"error","error":{"type":…,"message":…}}}, which clients of
 * {@code /v1/messages} (the Anthropic SDKs) read: as a response body, as a stream's {@code error} event, and from an
 * OpenAI error body. The error type follows the HTTP status as Anthropic documents it ("Errors").
 *
 * <p>Thread-safety: stateless.
 */
public final class MessagesErrors {
    private static final byte[] HEAD = ascii("{\"type\":\"error\",\"error\":{\"type\":");
    private static final byte[] MESSAGE = ascii(",\"message\":");
    private static final byte[] TAIL = ascii("}}");
    private static final byte[] EVENT = ascii("event: error\ndata: ");
    private static final byte[] EVENT_END = ascii("\n\n");
    private static final int MAX_QUOTED_BODY_CHARS = 1000;

    private MessagesErrors() {
    }

    /** Anthropic's error type for an HTTP status. */
    public static String type(int status) {
        return switch (status) {
            case 400, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 408, 504 -> "timeout_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            default -> "api_error";
        };
    }

    /** An error body for {@code status}; owned by the caller. */
    public static ByteBuf body(ByteBufAllocator alloc, int status, String message) {
        ByteBuf out = alloc.buffer(64 + message.length());
        write(out, type(status), message);
        return out;
    }

    /** An {@code event: error} for a stream, typed by {@code status}; owned by the caller. */
    public static ByteBuf event(ByteBufAllocator alloc, int status, String message) {
        ByteBuf out = alloc.buffer(80 + message.length());
        writeEvent(out, type(status), message);
        return out;
    }

    /**
     * An OpenAI error body (or any provider's error text) in Anthropic's shape: the message of
     * {@code error.message}, {@code detail}, or {@code message}, else the body itself (cut to 1000 characters). A body
     * already in Anthropic's shape is kept as it is.
     *
     * @param body not taken, indexes unchanged
     * @return the Anthropic error body, owned by the caller
     */
    public static ByteBuf fromOpenAi(ByteBufAllocator alloc, int status, ByteBuf body) {
        String message = null;
        boolean anthropic = false;
        try (JsonParser p = JsonInput.of(body).parser()) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if ("type".equals(name) && value == JsonToken.VALUE_STRING && "error".equals(p.getString())) {
                        anthropic = true;
                    } else if ("error".equals(name) && value == JsonToken.START_OBJECT) {
                        message = errorMessage(p, message);
                    } else if (("detail".equals(name) || "message".equals(name))
                            && value == JsonToken.VALUE_STRING && message == null) {
                        message = p.getString();
                    } else {
                        p.skipChildren();
                    }
                }
            }
        } catch (JacksonException e) {
            message = null;
            anthropic = false;
        }
        if (anthropic && message != null) {
            return body.retainedDuplicate();
        }
        if (message == null) {
            String text = body.toString(StandardCharsets.UTF_8);
            message = text.length() > MAX_QUOTED_BODY_CHARS ? text.substring(0, MAX_QUOTED_BODY_CHARS) : text;
        }
        return body(alloc, status, message);
    }

    private static @Nullable String errorMessage(JsonParser p, @Nullable String found) {
        String message = found;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if ("message".equals(name) && value == JsonToken.VALUE_STRING) {
                message = p.getString();
            } else {
                p.skipChildren();
            }
        }
        return message;
    }

    static void write(ByteBuf out, String type, String message) {
        out.writeBytes(HEAD);
        JsonText.writeString(out, type);
        out.writeBytes(MESSAGE);
        JsonText.writeString(out, message);
        out.writeBytes(TAIL);
    }

    static void writeEvent(ByteBuf out, String type, String message) {
        out.writeBytes(EVENT);
        write(out, type, message);
        out.writeBytes(EVENT_END);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
