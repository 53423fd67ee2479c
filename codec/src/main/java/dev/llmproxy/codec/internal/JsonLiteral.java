package dev.llmproxy.codec.internal;

import io.netty.buffer.ByteBuf;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Where a JSON string literal of a stream event lies in the event's bytes, quotes included, so that it is copied into
 * the translated event as Anthropic wrote it instead of being decoded and escaped again: an Anthropic text delta and
 * an OpenAI content delta are the same JSON string. Valid only while the event's bytes are (during one visitor call).
 *
 * <p>Thread-safety: none; reused for every event of one stream.
 */
public final class JsonLiteral {
    private static final byte[] EMPTY = {'"', '"'};

    private byte[] array = EMPTY;
    private int start;
    private int end = EMPTY.length;

    public void clear() {
        array = EMPTY;
        start = 0;
        end = EMPTY.length;
    }

    /**
     * Records the string value {@code p} is at; any other value reads as the empty string.
     *
     * @param input the bytes {@code p} parses, from {@code offset} (parser locations are relative to it)
     */
    public void read(JsonParser p, byte[] input, int offset) {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            p.skipChildren();
            clear();
            return;
        }
        int from = (int) p.currentTokenLocation().getByteOffset();
        p.finishToken();
        array = input;
        start = offset + from;
        end = offset + (int) p.currentLocation().getByteOffset();
    }

    /** Whether the string is {@code ""}. */
    public boolean isEmpty() {
        return end - start <= 2;
    }

    /** The literal's length in bytes, quotes included. */
    public int length() {
        return end - start;
    }

    /** Writes the string's escaped content, without its quotes, at {@code out}'s writer index. */
    public void writeContentTo(ByteBuf out) {
        out.writeBytes(array, start + 1, end - start - 2);
    }

    /** Writes the literal, quotes included, at {@code out}'s writer index. */
    public void writeTo(ByteBuf out) {
        out.writeBytes(array, start, end - start);
    }
}
