package dev.llmproxy.codec.internal;

import io.netty.buffer.Unpooled;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;

/**
 * A JSON string of the client's request kept as its escaped UTF-8 bytes, so that message text, the bulk of a request,
 * is copied into the translated request without being decoded and escaped again.
 *
 * <p>Thread-safety: immutable in practice; the array is the request's bytes and is never written.
 *
 * @param array holds the literal at {@code [start, end)}, quotes included
 */
public record StringLiteral(byte[] array, int start, int end) {

    /** The string value {@code parser} is at (its current token is {@code VALUE_STRING}) in {@code input}. */
    public static StringLiteral read(JsonInput input, JsonParser parser) {
        int from = JsonInput.tokenStart(parser);
        parser.finishToken();
        return new StringLiteral(input.array(), input.offset() + from, input.offset() + JsonInput.tokenEnd(parser));
    }

    /** The literal of {@code value}. */
    public static StringLiteral of(String value) {
        byte[] quoted = JsonText.quote(value);
        return new StringLiteral(quoted, 0, quoted.length);
    }

    public boolean isEmpty() {
        return end - start <= 2;
    }

    /** The decoded value (allocates; for the rare text that must be changed). */
    public String value() {
        return JsonText.decodeString(Unpooled.wrappedBuffer(array), start + 1, end - start - 2);
    }

    /** Writes the string value as it was escaped in the request. */
    public void write(JsonGenerator g) {
        g.writeRawUTF8String(array, start + 1, end - start - 2);
    }
}
