package dev.llmproxy.codec.anthropic;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.RawJson;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * One entry of Anthropic's {@code tools}: an OpenAI function tool (or legacy {@code functions} entry) converted to
 * {@code {name, description, input_schema, cache_control}}, or a tool the client already wrote in Anthropic's shape
 * (a hosted tool such as {@code web_search_20250305}, or a custom tool with {@code input_schema}), kept as it is.
 *
 * <p>Thread-safety: immutable.
 *
 * @param raw the tool as the client wrote it, when it is passed through; then the other components are unused
 */
record Tool(@Nullable RawJson raw, String name, @Nullable String description, @Nullable RawJson inputSchema,
        @Nullable RawJson cacheControl) {

    /** Reads the array {@code p} is at into {@code into}; entries that are not objects are skipped. */
    static void readAll(JsonInput input, JsonParser p, List<Tool> into) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == JsonToken.START_OBJECT) {
                into.add(read(input, p));
            } else {
                p.skipChildren();
            }
        }
    }

    private static Tool read(JsonInput input, JsonParser p) {
        int start = JsonInput.tokenStart(p);
        Fields tool = new Fields();
        Fields function = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("function") && value == JsonToken.START_OBJECT) {
                function = new Fields();
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    function.read(input, p, field);
                }
            } else {
                tool.read(input, p, name);
            }
        }
        if (function != null) {
            RawJson cacheControl = tool.cacheControl != null ? tool.cacheControl : function.cacheControl;
            return new Tool(null, function.name, function.description, function.parameters, cacheControl);
        }
        boolean legacyFunction = (tool.type == null || tool.type.equals("function")) && tool.inputSchema == null
                && !tool.name.isEmpty();
        if (legacyFunction) {
            return new Tool(null, tool.name, tool.description, tool.parameters, tool.cacheControl);
        }
        return new Tool(input.slice(start, JsonInput.tokenEnd(p)), "", null, null, null);
    }

    void write(JsonGenerator g, RawJson emptySchema) {
        if (raw != null) {
            raw.write(g);
            return;
        }
        g.writeStartObject();
        g.writeStringProperty("name", name);
        if (description != null) {
            g.writeStringProperty("description", description);
        }
        g.writeName("input_schema");
        (inputSchema != null ? inputSchema : emptySchema).write(g);
        if (cacheControl != null) {
            g.writeName("cache_control");
            cacheControl.write(g);
        }
        g.writeEndObject();
    }

    /** The fields of a tool or of its {@code function} object that the conversion reads. */
    private static final class Fields {
        @Nullable String type;
        String name = "";
        @Nullable String description;
        @Nullable RawJson parameters;
        @Nullable RawJson inputSchema;
        @Nullable RawJson cacheControl;

        void read(JsonInput input, JsonParser p, String field) {
            JsonToken value = p.currentToken();
            boolean string = value == JsonToken.VALUE_STRING;
            boolean object = value == JsonToken.START_OBJECT;
            switch (field) {
                case "type" -> type = string ? p.getString() : null;
                case "name" -> name = string ? p.getString() : "";
                case "description" -> description = string ? p.getString() : null;
                case "parameters" -> parameters = object ? input.capture(p) : skip(p);
                case "input_schema" -> inputSchema = object ? input.capture(p) : skip(p);
                case "cache_control" -> cacheControl = object ? input.capture(p) : skip(p);
                default -> p.skipChildren();
            }
        }

        private static @Nullable RawJson skip(JsonParser p) {
            p.skipChildren();
            return null;
        }
    }
}
