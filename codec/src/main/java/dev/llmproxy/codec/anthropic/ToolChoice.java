package dev.llmproxy.codec.anthropic;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Anthropic's {@code tool_choice}: {@code auto}, {@code any}, {@code none}, or {@code tool} with a name, and
 * optionally {@code disable_parallel_tool_use}.
 *
 * <p>Thread-safety: immutable.
 */
record ToolChoice(String type, @Nullable String name, @Nullable Boolean disableParallelToolUse) {

    /**
     * Reads OpenAI's {@code tool_choice} ({@code "auto"}, {@code "required"}, {@code "none"},
     * {@code {"type":"function","function":{"name"}}}), the legacy {@code function_call} ({@code "auto"},
     * {@code "none"}, {@code {"name"}}), or a choice already in Anthropic's shape. Returns {@code null} for anything
     * else, which leaves the choice to Anthropic's default.
     */
    static @Nullable ToolChoice read(JsonParser p) {
        JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_STRING) {
            return switch (p.getString()) {
                case "auto" -> new ToolChoice("auto", null, null);
                case "required", "any" -> new ToolChoice("any", null, null);
                case "none" -> new ToolChoice("none", null, null);
                default -> null;
            };
        }
        if (token != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        String type = null;
        String name = null;
        Boolean disableParallel = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("type") && value == JsonToken.VALUE_STRING) {
                type = p.getString();
            } else if (field.equals("name") && value == JsonToken.VALUE_STRING) {
                name = p.getString();
            } else if (field.equals("function") && value == JsonToken.START_OBJECT) {
                name = functionName(p);
            } else if (field.equals("disable_parallel_tool_use") && value.isBoolean()) {
                disableParallel = value == JsonToken.VALUE_TRUE;
            } else {
                p.skipChildren();
            }
        }
        if (type == null || type.equals("function") || type.equals("tool")) {
            return name == null ? null : new ToolChoice("tool", name, disableParallel);
        }
        return switch (type) {
            case "auto", "any", "none" -> new ToolChoice(type, null, disableParallel);
            case "required" -> new ToolChoice("any", null, disableParallel);
            default -> null;
        };
    }

    private static @Nullable String functionName(JsonParser p) {
        String name = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("name") && value == JsonToken.VALUE_STRING) {
                name = p.getString();
            } else {
                p.skipChildren();
            }
        }
        return name;
    }

    boolean isNone() {
        return type.equals("none");
    }

    ToolChoice disableParallelToolUse(boolean disable) {
        return new ToolChoice(type, name, disable);
    }

    void write(JsonGenerator g) {
        g.writeStartObject();
        g.writeStringProperty("type", type);
        if (name != null) {
            g.writeStringProperty("name", name);
        }
        if (disableParallelToolUse != null) {
            g.writeBooleanProperty("disable_parallel_tool_use", disableParallelToolUse);
        }
        g.writeEndObject();
    }
}
