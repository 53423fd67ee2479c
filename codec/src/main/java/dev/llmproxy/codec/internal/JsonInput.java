package dev.llmproxy.codec.internal;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.json.JsonFactory;

/**
 * A byte range of JSON text that Jackson parses in place: the backing array of a heap buffer, or a copy of a direct
 * or composite one. Byte offsets reported by a parser over it are relative to {@link #offset()}.
 *
 * <p>Thread-safety: immutable; the array is never written.
 */
public record JsonInput(byte[] array, int offset, int length) {
    /**
     * Jackson with its size limits lifted to what the proxy's own request checks allow: the body size limit and
     * {@code JsonScanner}'s nesting limit decide what is too large, not Jackson's defaults (20 MB strings, depth 500).
     */
    public static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .maxNestingDepth(1024)
                    .build())
            .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(1024).build())
            .build();

    /** The bytes {@code buf[index, index + length)}, shared when {@code buf} is a heap buffer, else copied. */
    public static JsonInput of(ByteBuf buf, int index, int length) {
        if (buf.hasArray()) {
            return new JsonInput(buf.array(), buf.arrayOffset() + index, length);
        }
        byte[] copy = new byte[length];
        buf.getBytes(index, copy);
        return new JsonInput(copy, 0, length);
    }

    /** The readable bytes of {@code buf}. */
    public static JsonInput of(ByteBuf buf) {
        return of(buf, buf.readerIndex(), buf.readableBytes());
    }

    public JsonParser parser() {
        return JSON.createParser(ObjectReadContext.empty(), array, offset, length);
    }

    /** Where the token {@code parser} is at starts, relative to this input. */
    public static int tokenStart(JsonParser parser) {
        return (int) parser.currentTokenLocation().getByteOffset();
    }

    /** Where the structure end token {@code parser} is at ends, relative to this input. */
    public static int tokenEnd(JsonParser parser) {
        return (int) parser.currentLocation().getByteOffset();
    }

    /** The text between two offsets reported by a parser over this input. */
    public RawJson slice(int start, int end) {
        return new RawJson(new String(array, offset + start, end - start, StandardCharsets.UTF_8));
    }

    /**
     * Captures the value {@code parser} is at, and leaves the parser on its last token (the matching end token of an
     * object or array).
     */
    public RawJson capture(JsonParser parser) {
        if (!parser.currentToken().isStructStart()) {
            return RawJson.scalar(parser);
        }
        int start = tokenStart(parser);
        parser.skipChildren();
        return slice(start, tokenEnd(parser));
    }
}
