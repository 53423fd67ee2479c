package dev.llmproxy.bench.mock;

import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;

/**
 * OpenAI Responses API bodies as OpenAI sends them (https://platform.openai.com/docs/api-reference/responses): the
 * {@code response} object and the events of its stream. Every stream event starts with its {@code type}, as OpenAI's
 * do.
 *
 * <p>Thread-safety: stateless.
 */
final class OpenAiResponsesBodies {
    static final String RESPONSE_ID = "resp_mock01";
    static final String MESSAGE_ID = "msg_mock01";
    static final String CALL_ITEM_ID = "fc_mock01";
    static final String CALL_ID = "call_mock01";
    static final String INPUT_ID = "msg_input01";

    private OpenAiResponsesBodies() {
    }

    /**
     * The response: {@code in_progress} with no output and no usage, or {@code completed} with one message (or, when
     * {@code toolName} is set, one function call) and usage.
     */
    static Consumer<JsonGenerator> response(String model, boolean completed, String text, @Nullable String toolName,
            String toolArguments, int inputTokens, int outputTokens) {
        return g -> writeResponse(g, model, completed, text, toolName, toolArguments, inputTokens, outputTokens);
    }

    /** The answer to {@code DELETE /v1/responses/{id}} of the mock's response. */
    static Consumer<JsonGenerator> deleted() {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("id", RESPONSE_ID);
            g.writeStringProperty("object", "response");
            g.writeBooleanProperty("deleted", true);
            g.writeEndObject();
        };
    }

    /** The first (and only) page of the mock response's input items: the user's one message. */
    static Consumer<JsonGenerator> inputItems() {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("object", "list");
            g.writeArrayPropertyStart("data");
            g.writeStartObject();
            g.writeStringProperty("id", INPUT_ID);
            g.writeStringProperty("type", "message");
            g.writeStringProperty("role", "user");
            g.writeArrayPropertyStart("content");
            g.writeStartObject();
            g.writeStringProperty("type", "input_text");
            g.writeStringProperty("text", "Say hi");
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            g.writeStringProperty("first_id", INPUT_ID);
            g.writeStringProperty("last_id", INPUT_ID);
            g.writeBooleanProperty("has_more", false);
            g.writeEndObject();
        };
    }

    /** A stream event: {@code type}, {@code sequence_number}, then what {@code fields} writes. */
    static Consumer<JsonGenerator> event(String type, int sequence, Consumer<JsonGenerator> fields) {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("type", type);
            g.writeNumberProperty("sequence_number", sequence);
            fields.accept(g);
            g.writeEndObject();
        };
    }

    static void writeResponse(JsonGenerator g, String model, boolean completed, String text,
            @Nullable String toolName, String toolArguments, int inputTokens, int outputTokens) {
        g.writeStartObject();
        g.writeStringProperty("id", RESPONSE_ID);
        g.writeStringProperty("object", "response");
        g.writeNumberProperty("created_at", 1_700_000_000L);
        g.writeStringProperty("status", completed ? "completed" : "in_progress");
        g.writeNullProperty("error");
        g.writeNullProperty("incomplete_details");
        g.writeStringProperty("model", model);
        g.writeArrayPropertyStart("output");
        if (completed) {
            item(g, text, toolName, toolArguments, true);
        }
        g.writeEndArray();
        g.writeBooleanProperty("parallel_tool_calls", true);
        g.writeStringProperty("tool_choice", "auto");
        g.writeArrayPropertyStart("tools");
        g.writeEndArray();
        if (completed) {
            g.writeObjectPropertyStart("usage");
            g.writeNumberProperty("input_tokens", inputTokens);
            g.writeObjectPropertyStart("input_tokens_details");
            g.writeNumberProperty("cached_tokens", 0);
            g.writeEndObject();
            g.writeNumberProperty("output_tokens", outputTokens);
            g.writeObjectPropertyStart("output_tokens_details");
            g.writeNumberProperty("reasoning_tokens", 0);
            g.writeEndObject();
            g.writeNumberProperty("total_tokens", inputTokens + outputTokens);
            g.writeEndObject();
        } else {
            g.writeNullProperty("usage");
        }
        g.writeEndObject();
    }

    /** The output item: a message with its text, or a function call with its arguments (empty while in progress). */
    static void item(JsonGenerator g, String text, @Nullable String toolName, String toolArguments, boolean done) {
        g.writeStartObject();
        if (toolName != null) {
            g.writeStringProperty("type", "function_call");
            g.writeStringProperty("id", CALL_ITEM_ID);
            g.writeStringProperty("call_id", CALL_ID);
            g.writeStringProperty("name", toolName);
            g.writeStringProperty("arguments", done ? toolArguments : "");
        } else {
            g.writeStringProperty("type", "message");
            g.writeStringProperty("id", MESSAGE_ID);
            g.writeStringProperty("role", "assistant");
            g.writeArrayPropertyStart("content");
            if (done) {
                outputText(g, text);
            }
            g.writeEndArray();
        }
        g.writeStringProperty("status", done ? "completed" : "in_progress");
        g.writeEndObject();
    }

    static void outputText(JsonGenerator g, String text) {
        g.writeStartObject();
        g.writeStringProperty("type", "output_text");
        g.writeStringProperty("text", text);
        g.writeArrayPropertyStart("annotations");
        g.writeEndArray();
        g.writeEndObject();
    }
}
