package dev.llmproxy.codec.gemini;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * OpenAI's {@code tool_choice} (or legacy {@code function_call}) as Gemini's
 * {@code toolConfig.functionCallingConfig}: {@code none} → {@code NONE}, {@code auto} → {@code AUTO},
 * {@code required} → {@code ANY}, a named function → {@code ANY} limited to it. Any other value is invalid, which
 * LiteLLM refuses as an unsupported parameter.
 *
 * <p>Thread-safety: immutable.
 *
 * @param mode Gemini's mode, or {@code null} when the value has no Gemini form
 * @param function the one function allowed, or {@code null}
 */
record ToolChoice(@Nullable String mode, @Nullable String function) {

    static ToolChoice read(JsonParser p) {
        JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_STRING) {
            return switch (p.getString()) {
                case "none" -> new ToolChoice("NONE", null);
                case "auto" -> new ToolChoice("AUTO", null);
                case "required", "any" -> new ToolChoice("ANY", null);
                default -> new ToolChoice(null, null);
            };
        }
        if (token != JsonToken.START_OBJECT) {
            p.skipChildren();
            return new ToolChoice(null, null);
        }
        String name = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("name") && value == JsonToken.VALUE_STRING) {
                name = p.getString();
            } else if (field.equals("function") && value == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String inner = p.currentName();
                    JsonToken innerValue = p.nextToken();
                    if (inner.equals("name") && innerValue == JsonToken.VALUE_STRING) {
                        name = p.getString();
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return new ToolChoice(name != null ? "ANY" : null, name);
    }

    boolean isValid() {
        return mode != null;
    }

    void write(JsonGenerator g) {
        g.writeStartObject();
        g.writeObjectPropertyStart("functionCallingConfig");
        g.writeStringProperty("mode", mode);
        if (function != null) {
            g.writeArrayPropertyStart("allowedFunctionNames");
            g.writeString(function);
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeEndObject();
    }
}
