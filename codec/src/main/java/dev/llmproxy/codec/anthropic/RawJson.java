package dev.llmproxy.codec.anthropic;

import java.io.StringWriter;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * One JSON value of the client's request kept as text, to be written into the translated request unchanged (a tool's
 * parameter schema, a {@code cache_control} object, a parameter llmproxy does not interpret).
 *
 * <p>Thread-safety: immutable.
 *
 * @param json valid JSON text of exactly one value
 */
record RawJson(String json) {
    static final RawJson EMPTY_OBJECT = new RawJson("{}");

    /** The scalar value {@code parser} is at, as JSON text. */
    static RawJson scalar(JsonParser parser) {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            return new RawJson(parser.getText());
        }
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JsonInput.JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            g.writeString(parser.getString());
        }
        return new RawJson(out.toString());
    }

    void write(JsonGenerator g) {
        g.writeRawValue(json);
    }
}
