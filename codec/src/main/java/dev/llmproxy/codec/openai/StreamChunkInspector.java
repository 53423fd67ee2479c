package dev.llmproxy.codec.openai;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Looks at one SSE {@code data:} payload of an OpenAI-style stream for the {@code [DONE]} sentinel and for token
 * usage.
 *
 * <p>Most chunks are answered by a byte scan alone: a payload is parsed only if it contains the key {@code "usage"}
 * followed by something other than {@code null}. The bytes are never copied or retained.
 *
 * <p>Thread-safety: safe from any thread; each thread reuses its own parser state.
 */
public final class StreamChunkInspector {
    private static final FastThreadLocal<UsageFields> FIELDS = new FastThreadLocal<>() {
        @Override
        protected UsageFields initialValue() {
            return new UsageFields();
        }
    };
    private static final FastThreadLocal<UsageFields> CAPTURING = new FastThreadLocal<>() {
        @Override
        protected UsageFields initialValue() {
            return new UsageFields(true);
        }
    };

    private static final byte[] FINISH_REASON_KEY = "\"finish_reason\"".getBytes(StandardCharsets.US_ASCII);

    private StreamChunkInspector() {
    }

    /**
     * Inspects {@code buf[index, index + length)}. Never throws on malformed input: a payload that is not valid JSON
     * is {@link StreamChunk#PLAIN}.
     *
     * @param buf the payload's buffer; not retained, indexes unchanged, the caller keeps ownership
     */
    public static StreamChunk inspect(ByteBuf buf, int index, int length) {
        return inspect(buf, index, length, null);
    }

    /**
     * {@link #inspect(ByteBuf, int, int)} that also puts the {@code model} and the finish reasons of a chunk that ends
     * a choice into {@code facts}. Chunks without a non-null {@code finish_reason} or usage are still answered by the
     * byte scan alone; null captures nothing and costs nothing more.
     */
    public static StreamChunk inspect(ByteBuf buf, int index, int length, @Nullable ResponseFacts facts) {
        int from = index;
        int to = index + length;
        while (from < to && isWhitespace(buf.getByte(from))) {
            from++;
        }
        while (to > from && isWhitespace(buf.getByte(to - 1))) {
            to--;
        }
        if (isDone(buf, from, to)) {
            return StreamChunk.DONE;
        }
        boolean carriesUsage = mayCarryUsage(buf, from, to);
        if (!carriesUsage && (facts == null || !mayEndChoice(buf, from, to))) {
            return StreamChunk.PLAIN;
        }
        UsageFields fields = facts == null ? FIELDS.get() : CAPTURING.get();
        fields.reset();
        fields.scan(buf, from, to - from, facts);
        if (!fields.finish()) {
            return StreamChunk.PLAIN;
        }
        Usage usage = fields.usage();
        return usage == null ? StreamChunk.PLAIN : new StreamChunk(false, usage, fields.choicesEmpty());
    }

    /** Inspects the readable bytes of {@code payload}; see {@link #inspect(ByteBuf, int, int)}. */
    public static StreamChunk inspect(ByteBuf payload) {
        return inspect(payload, payload.readerIndex(), payload.readableBytes());
    }

    private static boolean isDone(ByteBuf buf, int from, int to) {
        return to - from == 6 && buf.getByte(from) == '[' && buf.getByte(from + 1) == 'D'
                && buf.getByte(from + 2) == 'O' && buf.getByte(from + 3) == 'N' && buf.getByte(from + 4) == 'E'
                && buf.getByte(from + 5) == ']';
    }

    /*
     * In valid JSON the seven bytes "usage" with unescaped quotes are either that key or the string value "usage";
     * inside other strings the quotes would be escaped. So when every occurrence followed by a colon is followed by
     * null (OpenAI sends "usage":null in each chunk once include_usage is on), no object-valued top-level usage can
     * exist and the parse is skipped. 'g' is searched for because it is the rarest byte of the key in chunk JSON.
     */
    private static boolean mayCarryUsage(ByteBuf buf, int from, int to) {
        if (to - from < 7) {
            return false;
        }
        int g = buf.indexOf(from + 4, to, (byte) 'g');
        while (g >= 0) {
            if (g + 2 < to && buf.getByte(g - 4) == '"' && buf.getByte(g - 3) == 'u' && buf.getByte(g - 2) == 's'
                    && buf.getByte(g - 1) == 'a' && buf.getByte(g + 1) == 'e' && buf.getByte(g + 2) == '"'
                    && !isNullValue(buf, g + 3, to)) {
                return true;
            }
            g = buf.indexOf(g + 1, to, (byte) 'g');
        }
        return false;
    }

    /** Whether the payload may hold {@code "finish_reason"} with a value other than null (found by its '_'). */
    private static boolean mayEndChoice(ByteBuf buf, int from, int to) {
        int underscore = buf.indexOf(from + 7, to, (byte) '_');
        while (underscore >= 0) {
            if (underscore + 8 < to && isFinishReasonKey(buf, underscore - 7)
                    && !isNullValue(buf, underscore + 8, to)) {
                return true;
            }
            underscore = buf.indexOf(underscore + 1, to, (byte) '_');
        }
        return false;
    }

    private static boolean isFinishReasonKey(ByteBuf buf, int quote) {
        for (int i = 0; i < FINISH_REASON_KEY.length; i++) {
            if (buf.getByte(quote + i) != FINISH_REASON_KEY[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNullValue(ByteBuf buf, int i, int to) {
        while (i < to && isWhitespace(buf.getByte(i))) {
            i++;
        }
        if (i == to || buf.getByte(i) != ':') {
            return true;
        }
        i++;
        while (i < to && isWhitespace(buf.getByte(i))) {
            i++;
        }
        return i + 4 <= to && buf.getByte(i) == 'n' && buf.getByte(i + 1) == 'u' && buf.getByte(i + 2) == 'l'
                && buf.getByte(i + 3) == 'l';
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
