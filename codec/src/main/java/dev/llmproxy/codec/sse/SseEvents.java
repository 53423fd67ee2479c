package dev.llmproxy.codec.sse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ByteProcessor;

/**
 * Writes server-sent events: the events a proxy adds to or rewrites in a relayed stream, or the error event that ends
 * a failed one.
 *
 * <p>Thread-safety: stateless.
 */
public final class SseEvents {
    private static final byte[] DATA = {'d', 'a', 't', 'a', ':', ' '};
    private static final byte[] DONE = {'[', 'D', 'O', 'N', 'E', ']'};

    private SseEvents() {
    }

    /**
     * Writes one event whose data is the readable bytes of {@code payload}: {@code data: <payload>\n\n}, the shape of
     * every event in an OpenAI stream.
     *
     * <p>Compact JSON has no line ends, so it takes one {@code data} line. A payload with line ends is written as one
     * {@code data} line per line, which a client joins back with LF (HTML Living Standard, "Interpreting an event
     * stream"); a CR or CRLF in the payload therefore comes back as LF.
     *
     * @param payload not taken: its reference count and indexes are unchanged, and the caller still releases it
     * @return a new buffer from {@code alloc}, owned by the caller, who must release it (or write it, or pass it to
     *     {@link SseEventFramer.Emitter#emit})
     */
    public static ByteBuf data(ByteBufAllocator alloc, ByteBuf payload) {
        int start = payload.readerIndex();
        int end = payload.writerIndex();
        int eol = lineEnd(payload, start, end);
        if (eol < 0) {
            return alloc.buffer(DATA.length + end - start + 2)
                    .writeBytes(DATA)
                    .writeBytes(payload, start, end - start)
                    .writeByte('\n')
                    .writeByte('\n');
        }
        ByteBuf out = alloc.buffer(DATA.length * 2 + end - start + 3);
        int p = start;
        while (true) {
            int lineEnd = eol < 0 ? end : eol;
            out.writeBytes(DATA).writeBytes(payload, p, lineEnd - p).writeByte('\n');
            if (eol < 0) {
                return out.writeByte('\n');
            }
            p = eol + 1;
            if (payload.getByte(eol) == '\r' && p < end && payload.getByte(p) == '\n') {
                p++;
            }
            eol = lineEnd(payload, p, end);
        }
    }

    /**
     * Starts an event whose data the caller writes next, on one line: {@code data: }. The caller ends it with
     * {@link #endEvent}. For payloads written straight into the event buffer (no copy), such as generated JSON.
     */
    public static ByteBuf startData(ByteBuf out) {
        return out.writeBytes(DATA);
    }

    /** Ends the event started with {@link #startData}: the blank line that dispatches it. */
    public static ByteBuf endEvent(ByteBuf out) {
        return out.writeByte('\n').writeByte('\n');
    }

    /** Receives the value of one {@code data} line. */
    @FunctionalInterface
    public interface DataLineVisitor {
        /**
         * @param buf holds the line's value at {@code [index, index + length)}; not taken, indexes unchanged
         */
        void onData(ByteBuf buf, int index, int length);
    }

    /**
     * Hands the value of every {@code data:} line of {@code framed} (without the one space after the colon) to
     * {@code visitor}, in order. For events that are whole and of one {@code data} line each, as this proxy's
     * translators write them ({@link #data}, {@link #startData}); other lines are skipped.
     *
     * @param framed not taken, indexes unchanged
     */
    public static void forEachDataLine(ByteBuf framed, DataLineVisitor visitor) {
        int i = framed.readerIndex();
        int end = framed.writerIndex();
        while (i < end) {
            int eol = framed.indexOf(i, end, (byte) '\n');
            int lineEnd = eol < 0 ? end : eol;
            if (lineEnd - i >= DATA.length - 1 && framed.getByte(i) == 'd' && framed.getByte(i + 1) == 'a'
                    && framed.getByte(i + 2) == 't' && framed.getByte(i + 3) == 'a' && framed.getByte(i + 4) == ':') {
                int valueStart = i + DATA.length - 1;
                if (valueStart < lineEnd && framed.getByte(valueStart) == ' ') {
                    valueStart++;
                }
                visitor.onData(framed, valueStart, lineEnd - valueStart);
            }
            i = lineEnd + 1;
        }
    }

    /** Whether {@code [index, index + length)} of {@code data} is OpenAI's end-of-stream marker, {@code [DONE]}. */
    public static boolean isDone(ByteBuf data, int index, int length) {
        if (length != DONE.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (data.getByte(index + i) != DONE[i]) {
                return false;
            }
        }
        return true;
    }

    private static int lineEnd(ByteBuf buf, int from, int end) {
        return from < end ? buf.forEachByte(from, end - from, ByteProcessor.FIND_CRLF) : -1;
    }
}
