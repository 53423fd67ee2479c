package dev.llmproxy.codec.anthropic;

import dev.llmproxy.codec.json.JsonStrings;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

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
        return new RawJson(new String(JsonStrings.quote(parser.getString()), StandardCharsets.UTF_8));
    }

    void write(JsonGenerator g) {
        g.writeRawValue(json);
    }
}
