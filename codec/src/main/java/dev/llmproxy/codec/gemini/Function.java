package dev.llmproxy.codec.gemini;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.RawJson;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * One entry of Gemini's {@code functionDeclarations}, from an OpenAI function tool or legacy {@code functions} entry:
 * {@code {name, description?, parameters?}} with the parameter schema filtered for Gemini ({@link Schemas}).
 *
 * <p>Thread-safety: immutable.
 */
record Function(String name, @Nullable String description, @Nullable RawJson parameters) {

    /**
     * Reads the tool object {@code p} is at (left on its end token): an OpenAI function tool
     * ({@code {"type": "function", "function": {...}}}) or a legacy function ({@code {name, parameters}}). Returns
     * {@code null} for any other tool (Google's own tools, written as the client gave them).
     */
    static @Nullable Function read(JsonInput input, JsonParser p) {
        String type = null;
        Function nested = null;
        Fields own = new Fields();
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("function") && value == JsonToken.START_OBJECT) {
                Fields function = new Fields();
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    function.read(input, p, name);
                }
                nested = function.toFunction();
            } else if (field.equals("type") && value == JsonToken.VALUE_STRING) {
                type = p.getString();
            } else {
                own.read(input, p, field);
            }
        }
        if (nested != null) {
            return nested;
        }
        boolean legacy = (type == null || type.equals("function")) && !own.name.isEmpty();
        return legacy ? own.toFunction() : null;
    }

    void write(JsonGenerator g) {
        g.writeStartObject();
        g.writeStringProperty("name", name);
        if (description != null) {
            g.writeStringProperty("description", description);
        }
        if (parameters != null && !Schemas.isEmptyObject(parameters)) {
            g.writeName("parameters");
            Schemas.writeFiltered(g, parameters);
        }
        g.writeEndObject();
    }

    /** The fields of a function object that the conversion reads. */
    private static final class Fields {
        String name = "";
        @Nullable String description;
        @Nullable RawJson parameters;

        void read(JsonInput input, JsonParser p, String field) {
            JsonToken value = p.currentToken();
            switch (field) {
                case "name" -> name = value == JsonToken.VALUE_STRING ? p.getString() : "";
                case "description" -> description = value == JsonToken.VALUE_STRING ? p.getString() : null;
                case "parameters" -> {
                    if (value == JsonToken.START_OBJECT) {
                        parameters = input.capture(p);
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }

        Function toFunction() {
            return new Function(name, description, parameters);
        }
    }
}
