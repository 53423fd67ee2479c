package dev.llmproxy.bench.mock;

import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;

/**
 * Writes Anthropic Messages API bodies (https://docs.anthropic.com/en/api/messages): the {@code message} object, the
 * events of a stream, and error bodies, with Jackson's streaming generator. Used with {@link OpenAiBodies#toBuffer}
 * and {@link OpenAiBodies#toBytes}.
 *
 * <p>Thread-safety: stateless.
 */
final class AnthropicBodies {
    static final String MESSAGE_ID = "msg_mock01";
    static final String TOOL_USE_ID = "toolu_mock01";

    private AnthropicBodies() {
    }

    /**
     * A complete {@code message} with usage: one text block and {@code stop_reason: end_turn}, or, when
     * {@code toolName} is set, one {@code tool_use} block with {@code toolInput} (JSON) and {@code stop_reason:
     * tool_use}.
     */
    static Consumer<JsonGenerator> message(String model, String text, @Nullable String toolName, String toolInput,
            int inputTokens, int outputTokens) {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("id", MESSAGE_ID);
            g.writeStringProperty("type", "message");
            g.writeStringProperty("role", "assistant");
            g.writeStringProperty("model", model);
            g.writeArrayPropertyStart("content");
            g.writeStartObject();
            if (toolName != null) {
                g.writeStringProperty("type", "tool_use");
                g.writeStringProperty("id", TOOL_USE_ID);
                g.writeStringProperty("name", toolName);
                g.writeName("input");
                g.writeRawValue(toolInput);
            } else {
                g.writeStringProperty("type", "text");
                g.writeStringProperty("text", text);
            }
            g.writeEndObject();
            g.writeEndArray();
            g.writeStringProperty("stop_reason", toolName != null ? "tool_use" : "end_turn");
            g.writeNullProperty("stop_sequence");
            g.writeObjectPropertyStart("usage");
            g.writeNumberProperty("input_tokens", inputTokens);
            g.writeNumberProperty("cache_creation_input_tokens", 0);
            g.writeNumberProperty("cache_read_input_tokens", 0);
            g.writeNumberProperty("output_tokens", outputTokens);
            g.writeEndObject();
            g.writeEndObject();
        };
    }

    /** {@code message_start}: the message with empty content, the input tokens and one output token. */
    static Consumer<JsonGenerator> messageStart(String model, int inputTokens) {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("type", "message_start");
            g.writeObjectPropertyStart("message");
            g.writeStringProperty("id", MESSAGE_ID);
            g.writeStringProperty("type", "message");
            g.writeStringProperty("role", "assistant");
            g.writeArrayPropertyStart("content");
            g.writeEndArray();
            g.writeStringProperty("model", model);
            g.writeNullProperty("stop_reason");
            g.writeNullProperty("stop_sequence");
            g.writeObjectPropertyStart("usage");
            g.writeNumberProperty("input_tokens", inputTokens);
            g.writeNumberProperty("output_tokens", 1);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        };
    }

    /** {@code content_block_start} at index 0: an empty text block, or a tool_use block if {@code toolName} is set. */
    static Consumer<JsonGenerator> blockStart(@Nullable String toolName) {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("type", "content_block_start");
            g.writeNumberProperty("index", 0);
            g.writeObjectPropertyStart("content_block");
            if (toolName != null) {
                g.writeStringProperty("type", "tool_use");
                g.writeStringProperty("id", TOOL_USE_ID);
                g.writeStringProperty("name", toolName);
                g.writeObjectPropertyStart("input");
                g.writeEndObject();
            } else {
                g.writeStringProperty("type", "text");
                g.writeStringProperty("text", "");
            }
            g.writeEndObject();
            g.writeEndObject();
        };
    }

    /** {@code content_block_delta} at index 0: a {@code text_delta}, or an {@code input_json_delta} for a tool. */
    static Consumer<JsonGenerator> delta(String piece, boolean tool) {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("type", "content_block_delta");
            g.writeNumberProperty("index", 0);
            g.writeObjectPropertyStart("delta");
            g.writeStringProperty("type", tool ? "input_json_delta" : "text_delta");
            g.writeStringProperty(tool ? "partial_json" : "text", piece);
            g.writeEndObject();
            g.writeEndObject();
        };
    }

    /** {@code content_block_stop} at index 0. */
    static Consumer<JsonGenerator> blockStop() {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("type", "content_block_stop");
            g.writeNumberProperty("index", 0);
            g.writeEndObject();
        };
    }

    /** {@code message_delta} with the stop reason ({@code end_turn} or {@code tool_use}) and the output tokens. */
    static Consumer<JsonGenerator> messageDelta(int outputTokens, boolean tool) {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("type", "message_delta");
            g.writeObjectPropertyStart("delta");
            g.writeStringProperty("stop_reason", tool ? "tool_use" : "end_turn");
            g.writeNullProperty("stop_sequence");
            g.writeEndObject();
            g.writeObjectPropertyStart("usage");
            g.writeNumberProperty("output_tokens", outputTokens);
            g.writeEndObject();
            g.writeEndObject();
        };
    }

    /** The answer to {@code count_tokens}: {@code {"input_tokens": N}}. */
    static Consumer<JsonGenerator> tokenCount(int inputTokens) {
        return g -> {
            g.writeStartObject();
            g.writeNumberProperty("input_tokens", inputTokens);
            g.writeEndObject();
        };
    }

    /** An event whose only field is its type ({@code ping}, {@code message_stop}). */
    static Consumer<JsonGenerator> typeOnly(String type) {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("type", type);
            g.writeEndObject();
        };
    }

    /** {@code {"type":"error","error":{"type","message"}}}, the body of an error response and of an error event. */
    static Consumer<JsonGenerator> error(String type, String message) {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("type", "error");
            g.writeObjectPropertyStart("error");
            g.writeStringProperty("type", type);
            g.writeStringProperty("message", message);
            g.writeEndObject();
            g.writeStringProperty("request_id", "req_mock01");
            g.writeEndObject();
        };
    }

    /** Anthropic's error type for an HTTP status (its "Errors" documentation). */
    static String errorType(int status) {
        return switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            case 529 -> "overloaded_error";
            default -> "api_error";
        };
    }

    /** The message Anthropic sends with an error type, for errors the request did not word itself. */
    static String defaultMessage(int status) {
        return status == 529 ? "Overloaded" : "Mock error " + status;
    }
}
