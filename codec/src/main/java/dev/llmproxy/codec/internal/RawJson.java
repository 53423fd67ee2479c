package dev.llmproxy.codec.internal;

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
public record RawJson(String json) {
    public static final RawJson EMPTY_OBJECT = new RawJson("{}");

    /** The scalar value {@code parser} is at, as JSON text. */
    public static RawJson scalar(JsonParser parser) {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            return new RawJson(parser.getText());
        }
        return new RawJson(new String(JsonText.quote(parser.getString()), StandardCharsets.UTF_8));
    }

    public void write(JsonGenerator g) {
        g.writeRawValue(json);
    }
}
