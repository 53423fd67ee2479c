package dev.llmproxy.codec.gemini;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.RawJson;
import java.util.Set;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;

/**
 * JSON schemas of the client's request as Gemini's OpenAPI-style {@code Schema} (function {@code parameters}, and
 * {@code responseSchema} for Gemini 1.x): the keywords Gemini refuses are left out at every level, as LiteLLM
 * filters them. Property names are never mistaken for keywords: inside {@code properties} every key is kept.
 *
 * <p>Thread-safety: stateless.
 */
final class Schemas {
    private static final Set<String> REFUSED = Set.of("$schema", "$id", "additionalProperties", "strict", "$comment");

    private Schemas() {
    }

    /** Writes {@code schema} (valid JSON, from the request) with the refused keywords left out. */
    static void writeFiltered(JsonGenerator g, RawJson schema) {
        try (JsonParser p = JsonInput.JSON.createParser(ObjectReadContext.empty(), schema.json())) {
            p.nextToken();
            copy(p, g, false);
        }
    }

    /**
     * Whether {@code schema} describes an object without properties ({@code {"type": "object", "properties": {}}}),
     * which Gemini refuses as function parameters ("properties should be non-empty for OBJECT type"); a function
     * without parameters says so by leaving them out.
     */
    static boolean isEmptyObject(RawJson schema) {
        try (JsonParser p = JsonInput.JSON.createParser(ObjectReadContext.empty(), schema.json())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            boolean object = false;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("type") && value == JsonToken.VALUE_STRING) {
                    object = p.getString().equals("object");
                } else if (name.equals("properties") && value == JsonToken.START_OBJECT) {
                    if (p.nextToken() != JsonToken.END_OBJECT) {
                        return false;
                    }
                } else if (REFUSED.contains(name) || name.equals("required")) {
                    p.skipChildren();
                } else {
                    return false;
                }
            }
            return object;
        }
    }

    private static void copy(JsonParser p, JsonGenerator g, boolean propertyMap) {
        JsonToken token = p.currentToken();
        if (token == JsonToken.START_OBJECT) {
            g.writeStartObject();
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (!propertyMap && REFUSED.contains(name)) {
                    p.skipChildren();
                    continue;
                }
                g.writeName(name);
                copy(p, g, !propertyMap && (name.equals("properties") || name.equals("$defs")
                        || name.equals("definitions")));
            }
            g.writeEndObject();
        } else if (token == JsonToken.START_ARRAY) {
            g.writeStartArray();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                copy(p, g, false);
            }
            g.writeEndArray();
        } else {
            g.copyCurrentEventExact(p);
        }
    }
}
