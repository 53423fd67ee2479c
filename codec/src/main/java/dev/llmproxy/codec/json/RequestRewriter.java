package dev.llmproxy.codec.json;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Builds the request body forwarded upstream from the client's body without copying it: the original bytes with the
 * {@code model} value replaced and, optionally, {@code "stream_options":{"include_usage":true}} added so that the
 * upstream reports usage at the end of a stream.
 *
 * <p>Thread-safety: stateless.
 */
public final class RequestRewriter {
    private static final byte[] INCLUDE_USAGE =
            ",\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);

    private RequestRewriter() {
    }

    /**
     * Returns the body to forward.
     *
     * <p>The result is a {@link CompositeByteBuf} of retained slices of {@code body} and one small buffer from
     * {@code alloc} holding the inserted bytes, or {@code body.retainedDuplicate()} when nothing changes (no new
     * model or the same bytes, and no injection needed). A body without a {@code model} member (Azure-style path
     * routing) keeps it that way; the injection still applies.
     *
     * @param body the client's body, scanned by {@link RequestScanner} with the same reader index; the caller keeps
     *     ownership and its indexes are unchanged
     * @param info the successful scan of {@code body}
     * @param modelJson the new model value as a complete JSON string literal ({@link JsonStrings#quote}), or
     *     {@code null} to keep the client's value
     * @param injectIncludeUsage add {@code stream_options.include_usage} when {@code info.stream()} is true and the
     *     body has no {@code stream_options}
     * @return a buffer owned by the caller, who must release it (writing it to a channel does)
     * @throws IllegalArgumentException if {@code info} reports an error
     */
    public static ByteBuf rewrite(ByteBufAllocator alloc, ByteBuf body, RequestInfo info,
            byte @Nullable [] modelJson, boolean injectIncludeUsage) {
        if (!info.isValid()) {
            throw new IllegalArgumentException("info: " + info.error() + " (expected: a valid scan)");
        }
        int start = body.readerIndex();
        boolean replace = modelJson != null && info.hasModel() && !sameBytes(body, start, info, modelJson);
        boolean inject = injectIncludeUsage && info.stream() && !info.hasStreamOptions();
        if (!replace && !inject) {
            return body.retainedDuplicate();
        }
        int modelLength = replace ? modelJson.length : 0;
        int injectLength = inject ? INCLUDE_USAGE.length : 0;
        ByteBuf inserted = alloc.buffer(modelLength + injectLength);
        CompositeByteBuf out = alloc.compositeBuffer(5);
        try {
            int cursor = start;
            if (replace) {
                inserted.writeBytes(modelJson);
                addSlice(out, body, cursor, start + info.modelStart());
                out.addComponent(true, inserted.retainedSlice(0, modelLength));
                cursor = start + info.modelEnd();
            }
            if (inject) {
                inserted.writeBytes(INCLUDE_USAGE);
                int brace = start + info.closingBrace();
                addSlice(out, body, cursor, brace);
                out.addComponent(true, inserted.retainedSlice(modelLength, injectLength));
                cursor = brace;
            }
            addSlice(out, body, cursor, body.writerIndex());
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        } finally {
            inserted.release();
        }
    }

    private static void addSlice(CompositeByteBuf out, ByteBuf body, int from, int to) {
        if (to > from) {
            out.addComponent(true, body.retainedSlice(from, to - from));
        }
    }

    private static boolean sameBytes(ByteBuf body, int start, RequestInfo info, byte[] modelJson) {
        int length = info.modelEnd() - info.modelStart();
        if (length != modelJson.length) {
            return false;
        }
        int index = start + info.modelStart();
        for (int i = 0; i < length; i++) {
            if (body.getByte(index + i) != modelJson[i]) {
                return false;
            }
        }
        return true;
    }
}
