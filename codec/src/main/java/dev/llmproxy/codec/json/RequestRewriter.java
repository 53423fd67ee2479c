package dev.llmproxy.codec.json;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Builds the request body forwarded upstream from the client's body: the original bytes with the {@code model}
 * value replaced and, optionally, {@code "stream_options":{"include_usage":true}} added so that the upstream reports
 * usage at the end of a stream. Nothing is parsed or re-serialized; large bodies are not even copied (the result
 * shares their bytes through retained slices), small ones are copied once into a single buffer.
 *
 * <p>Thread-safety: stateless.
 */
public final class RequestRewriter {
    private static final byte[] INCLUDE_USAGE =
            ",\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);

    // Gaps of the original up to this size are copied next to the inserted bytes instead of sliced: a slice and its
    // composite component cost more (allocation and indirection on write) than copying a few dozen bytes.
    private static final int COPY_MAX_BYTES = 64;

    // Bodies up to this size are copied whole into one pooled buffer: for a typical chat request one copy of a few
    // hundred bytes is cheaper than a composite of slices (measured with RequestRewriteBenchmark and a JFR profile of
    // the proxy, where composite bookkeeping was ~7 % of CPU). Larger bodies (long contexts, images) keep the
    // zero-copy slices.
    private static final int COPY_WHOLE_MAX_BYTES = 4096;

    private RequestRewriter() {
    }

    /**
     * Returns the body to forward.
     *
     * <p>The result is a {@link CompositeByteBuf} of retained slices of {@code body} and one small buffer from
     * {@code alloc} holding the inserted bytes (and copies of the original's gaps of at most 64 bytes between them,
     * typically the tail after the model value), or {@code body.retainedDuplicate()} when nothing changes (no new
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
        byte @Nullable [] replacement = modelJson != null && info.hasModel() && !sameBytes(body, start, info, modelJson)
                ? modelJson
                : null;
        boolean inject = injectIncludeUsage && info.stream() && !info.hasStreamOptions();
        if (replacement == null && !inject) {
            return body.retainedDuplicate();
        }
        int added = (replacement != null ? replacement.length : 0) + (inject ? INCLUDE_USAGE.length : 0);
        Builder builder = body.readableBytes() <= COPY_WHOLE_MAX_BYTES
                ? new Builder(alloc, body, body.readableBytes() + added, true)
                : new Builder(alloc, body, added + 3 * COPY_MAX_BYTES, false);
        try {
            int cursor = start;
            if (replacement != null) {
                builder.body(cursor, start + info.modelStart());
                builder.bytes(replacement);
                cursor = start + info.modelEnd();
            }
            if (inject) {
                int brace = start + info.closingBrace();
                builder.body(cursor, brace);
                builder.bytes(INCLUDE_USAGE);
                cursor = brace;
            }
            builder.body(cursor, body.writerIndex());
            return builder.build();
        } catch (RuntimeException e) {
            builder.discard();
            throw e;
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

    /**
     * Appends original ranges and new bytes in order. Long original ranges become retained slices; new bytes and
     * short original ranges are written into one small buffer whose contiguous runs become components.
     */
    private static final class Builder {
        private final ByteBuf body;
        private final @Nullable CompositeByteBuf out;
        private final ByteBuf small;
        private int runStart;
        private boolean smallSliced;

        /** @param copyAll copy every original range into the one buffer, which is then the whole result */
        Builder(ByteBufAllocator alloc, ByteBuf body, int smallCapacity, boolean copyAll) {
            this.body = body;
            this.out = copyAll ? null : alloc.compositeBuffer(5);
            this.small = alloc.buffer(smallCapacity);
        }

        void body(int from, int to) {
            if (out == null || to - from <= COPY_MAX_BYTES) {
                small.writeBytes(body, from, to - from);
            } else {
                flushRun();
                out.addComponent(true, body.retainedSlice(from, to - from));
            }
        }

        void bytes(byte[] bytes) {
            small.writeBytes(bytes);
        }

        ByteBuf build() {
            CompositeByteBuf out = this.out;
            if (out == null) {
                return small;
            }
            if (!smallSliced && small.isReadable()) {
                // The only run: hand the small buffer itself to the composite rather than a slice of it.
                out.addComponent(true, small);
            } else {
                flushRun();
                small.release();
            }
            return out;
        }

        void discard() {
            if (out != null) {
                out.release();
            }
            small.release();
        }

        private void flushRun() {
            int end = small.writerIndex();
            if (out != null && end > runStart) {
                out.addComponent(true, small.retainedSlice(runStart, end - runStart));
                runStart = end;
                smallSliced = true;
            }
        }
    }
}
