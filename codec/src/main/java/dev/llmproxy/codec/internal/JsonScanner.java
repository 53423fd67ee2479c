package dev.llmproxy.codec.internal;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * An incremental, allocation-free JSON (RFC 8259) syntax checker that reports the keys and values near the top of the
 * document to a subclass.
 *
 * <p>Thread-safety: none; an instance is confined to one thread. Feeding never retains the fed bytes.
 */
public abstract class JsonScanner {
    /*
     * Implementation notes
     *
     * A push-driven state machine with one state per position in the grammar and no lookahead, so the same instance
     * accepts a document whole or split at any byte: every piece of partial state (inside a string, an escape, a
     * UTF-8 sequence, a number, a literal) is a field. A number ends at the first byte that cannot continue it; that
     * byte is then re-dispatched in the after-value state, which is the only place a byte is seen twice.
     *
     * Positions are absolute offsets counted from the first byte fed since construction or reset().
     *
     * Depth is the number of containers enclosing a token: the top-level value is at depth 0, the members of a
     * top-level object at depth 1. Hooks fire only for tokens at depth <= hookDepth, and key bytes are collected only
     * there, so the deep bulk of a document (message contents) costs validation alone. Inside strings plain ASCII,
     * which is most of a request body, is skipped eight bytes at a time (hasSpecialByte), then byte by byte.
     *
     * Strings are validated as UTF-8 (no overlongs, no encoded surrogates, nothing above U+10FFFF), control
     * characters must be escaped, and nesting is limited to MAX_DEPTH (Jackson's default limit is 500 as well).
     */

    /** {@link #onLiteral} kind for {@code true}. */
    public static final int LITERAL_TRUE = 0;
    /** {@link #onLiteral} kind for {@code false}. */
    public static final int LITERAL_FALSE = 1;
    /** {@link #onLiteral} kind for {@code null}. */
    public static final int LITERAL_NULL = 2;
    /** Deepest nesting accepted. */
    public static final int MAX_DEPTH = 512;
    /**
     * Longest key, in bytes, reported to {@link #onKey} as bytes; longer keys are reported as unknown. 40 holds every
     * key a scanner looks for, the longest being LiteLLM's {@code mock_testing_content_policy_fallbacks} (37).
     */
    public static final int MAX_KEY_BYTES = 40;

    private static final byte[][] LITERALS = {{'t', 'r', 'u', 'e'}, {'f', 'a', 'l', 's', 'e'}, {'n', 'u', 'l', 'l'}};
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int SCRATCH_BYTES = 2048;
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[SCRATCH_BYTES];
        }
    };

    private static final int S_VALUE = 0;
    private static final int S_ARRAY_FIRST = 1;
    private static final int S_OBJECT_FIRST = 2;
    private static final int S_KEY = 3;
    private static final int S_COLON = 4;
    private static final int S_AFTER_VALUE = 5;
    private static final int S_STRING = 6;
    private static final int S_ESCAPE = 7;
    private static final int S_UNICODE = 8;
    private static final int S_UTF8 = 9;
    private static final int S_LITERAL = 10;
    private static final int S_NUM_MINUS = 11;
    private static final int S_NUM_ZERO = 12;
    private static final int S_NUM_INT = 13;
    private static final int S_NUM_DOT = 14;
    private static final int S_NUM_FRAC = 15;
    private static final int S_NUM_EXP = 16;
    private static final int S_NUM_EXP_SIGN = 17;
    private static final int S_NUM_EXP_DIGITS = 18;
    private static final int S_DONE = 19;
    private static final int S_ERROR = 20;

    private final int hookDepth;
    private final long[] arrayBits = new long[MAX_DEPTH / 64];
    private final byte[] key = new byte[MAX_KEY_BYTES];

    private int state;
    private int depth;
    private long consumed;
    private long errorPosition;

    private boolean stringIsKey;
    private boolean capturing;
    private boolean stringEscaped;
    private long stringStart;
    private int keyLength;

    private int hexLeft;
    private int hexValue;
    private int utf8Left;
    private int utf8Low;
    private int utf8High;

    private int literalKind;
    private int literalIndex;

    private long numberValue;
    private boolean numberNegative;
    private long numberStart;
    private long numberEnd;

    /**
     * Creates a scanner that reports tokens at depth {@code hookDepth} or shallower.
     *
     * @param hookDepth deepest depth whose keys and values reach the hooks; 0 reports only the top-level value
     */
    protected JsonScanner(int hookDepth) {
        if (hookDepth < 0) {
            throw new IllegalArgumentException("hookDepth: " + hookDepth + " (expected: >= 0)");
        }
        this.hookDepth = hookDepth;
    }

    /** Forgets everything fed so far so that the instance can scan another document. */
    public void reset() {
        state = S_VALUE;
        depth = 0;
        consumed = 0;
        errorPosition = -1;
    }

    /** Returns whether the bytes fed so far can no longer be the start of a valid document. */
    public final boolean isFailed() {
        return state == S_ERROR;
    }

    /** Returns the absolute position of the first offending byte, or -1 while no error was seen. */
    public final long errorPosition() {
        return state == S_ERROR ? errorPosition : -1;
    }

    /** Returns the number of bytes fed since construction or {@link #reset()}. */
    public final long consumed() {
        return consumed;
    }

    /** Returns whether only whitespace was fed so far. */
    public final boolean isBlank() {
        return state == S_VALUE && depth == 0;
    }

    /**
     * Feeds {@code buf[index, index + length)} without changing its indexes or reference count.
     *
     * <p>Heap buffers are scanned in place; other buffers (direct, composite) are copied through a small per-thread
     * window, because a bulk copy beats per-byte accessor calls on them.
     */
    public final void feed(ByteBuf buf, int index, int length) {
        if (buf.hasArray()) {
            int from = buf.arrayOffset() + index;
            feed(buf.array(), from, from + length);
            return;
        }
        byte[] scratch = SCRATCH.get();
        while (length > 0 && state != S_ERROR) {
            int n = Math.min(length, scratch.length);
            buf.getBytes(index, scratch, 0, n);
            feed(scratch, 0, n);
            index += n;
            length -= n;
        }
    }

    /**
     * Declares the end of the document.
     *
     * @return whether the bytes fed form exactly one complete JSON value (surrounding whitespace allowed)
     */
    public final boolean finish() {
        if (depth == 0 && (state == S_NUM_ZERO || state == S_NUM_INT || state == S_NUM_FRAC
                || state == S_NUM_EXP_DIGITS)) {
            endNumber(consumed);
            state = S_DONE;
        }
        if (state == S_DONE) {
            return true;
        }
        if (state != S_ERROR) {
            errorPosition = consumed;
            state = S_ERROR;
        }
        return false;
    }

    /**
     * Called at the end of each key at depth {@code depth} (1 for the members of the top-level object).
     *
     * @param key the decoded key bytes; valid during the call only
     * @param length the key length, or -1 if the key is longer than {@link #MAX_KEY_BYTES} or not plain ASCII
     */
    protected void onKey(int depth, byte[] key, int length) {
    }

    /** Called for a string value; {@code start} is the position of its opening quote, {@code end} one past the closing. */
    protected void onString(int depth, long start, long end, boolean escaped) {
    }

    /**
     * Called for a number value with its integer part, saturated to the long range (the fraction is dropped); its
     * text lies at {@link #numberStart()} to {@link #numberEnd()}.
     */
    protected void onNumber(int depth, long integerPart) {
    }

    /** The position of the first byte of the number being reported to {@link #onNumber}. */
    protected final long numberStart() {
        return numberStart;
    }

    /** The position one past the last byte of the number being reported to {@link #onNumber}. */
    protected final long numberEnd() {
        return numberEnd;
    }

    /** Called for {@code true}, {@code false} or {@code null}; see the {@code LITERAL_*} constants. */
    protected void onLiteral(int depth, int kind) {
    }

    /** Called when an object or array value opens at {@code depth}; {@code position} is that of the bracket. */
    protected void onStartContainer(int depth, boolean array, long position) {
    }

    /** Called when the container opened at {@code depth} closes; {@code position} is that of the closing bracket. */
    protected void onEndContainer(int depth, boolean array, long position, boolean empty) {
    }

    // Each case consumes as many bytes as it can before returning to the switch, so that runs of whitespace, digits,
    // literal letters, UTF-8 continuations and key letters cost one dispatch rather than one per byte.
    @SuppressWarnings("fallthrough")
    final void feed(byte[] a, int from, int to) {
        int st = state;
        if (st == S_ERROR) {
            return;
        }
        final long base = consumed - from;
        int i = from;
        loop:
        while (i < to) {
            int c = a[i] & 0xFF;
            switch (st) {
                case S_STRING:
                    if (!capturing) {
                        while (i + 8 <= to && !hasSpecialByte((long) LONGS.get(a, i))) {
                            i += 8;
                        }
                        if (i == to) {
                            break loop;
                        }
                        c = a[i] & 0xFF;
                        while (c != '"' && c != '\\' && c >= 0x20 && c < 0x80) {
                            if (++i == to) {
                                break loop;
                            }
                            c = a[i] & 0xFF;
                        }
                    } else {
                        while (c != '"' && c != '\\' && c >= 0x20 && c < 0x80) {
                            appendKey(c);
                            if (++i == to) {
                                break loop;
                            }
                            c = a[i] & 0xFF;
                        }
                    }
                    if (c == '"') {
                        st = endString(base + i + 1);
                    } else if (c == '\\') {
                        stringEscaped = true;
                        st = S_ESCAPE;
                    } else if (c < 0x20) {
                        st = fail(base + i);
                    } else {
                        keyLength = -1;
                        st = startUtf8(c, base + i);
                    }
                    break;
                case S_UTF8:
                    while (true) {
                        if (c < utf8Low || c > utf8High) {
                            st = fail(base + i);
                            break;
                        }
                        utf8Low = 0x80;
                        utf8High = 0xBF;
                        if (--utf8Left == 0) {
                            st = S_STRING;
                            break;
                        }
                        if (++i == to) {
                            break loop;
                        }
                        c = a[i] & 0xFF;
                    }
                    break;
                case S_ESCAPE:
                    st = escape(c, base + i);
                    break;
                case S_UNICODE:
                    st = unicodeDigit(c, base + i);
                    break;
                case S_AFTER_VALUE:
                    while (isWhitespace(c)) {
                        if (++i == to) {
                            break loop;
                        }
                        c = a[i] & 0xFF;
                    }
                    if (c == ',') {
                        st = isArray(depth) ? S_VALUE : S_KEY;
                    } else if (c == '}' || c == ']') {
                        st = close(c == ']', base + i, false);
                    } else {
                        st = fail(base + i);
                    }
                    break;
                case S_KEY:
                case S_OBJECT_FIRST:
                    while (isWhitespace(c)) {
                        if (++i == to) {
                            break loop;
                        }
                        c = a[i] & 0xFF;
                    }
                    if (c == '"') {
                        startKey(base + i);
                        st = S_STRING;
                    } else if (c == '}' && st == S_OBJECT_FIRST) {
                        st = close(false, base + i, true);
                    } else {
                        st = fail(base + i);
                    }
                    break;
                case S_COLON:
                    while (isWhitespace(c)) {
                        if (++i == to) {
                            break loop;
                        }
                        c = a[i] & 0xFF;
                    }
                    st = c == ':' ? S_VALUE : fail(base + i);
                    break;
                case S_ARRAY_FIRST:
                case S_VALUE:
                    while (isWhitespace(c)) {
                        if (++i == to) {
                            break loop;
                        }
                        c = a[i] & 0xFF;
                    }
                    st = c == ']' && st == S_ARRAY_FIRST ? close(true, base + i, true) : startValue(c, base + i);
                    break;
                case S_LITERAL:
                    byte[] expected = LITERALS[literalKind];
                    while (true) {
                        if (c != expected[literalIndex]) {
                            st = fail(base + i);
                            break;
                        }
                        if (++literalIndex == expected.length) {
                            st = endLiteral();
                            break;
                        }
                        if (++i == to) {
                            break loop;
                        }
                        c = a[i] & 0xFF;
                    }
                    break;
                case S_NUM_MINUS:
                    if (c == '0') {
                        st = S_NUM_ZERO;
                    } else if (c >= '1' && c <= '9') {
                        numberValue = c - '0';
                        st = S_NUM_INT;
                    } else {
                        st = fail(base + i);
                    }
                    break;
                case S_NUM_INT:
                    while (c >= '0' && c <= '9') {
                        numberValue = numberValue >= Long.MAX_VALUE / 10 - 1 ? Long.MAX_VALUE : numberValue * 10 + (c - '0');
                        if (++i == to) {
                            break loop;
                        }
                        c = a[i] & 0xFF;
                    }
                    // fall through: the same continuations as after a leading zero
                case S_NUM_ZERO:
                    if (c == '.') {
                        st = S_NUM_DOT;
                    } else if (c == 'e' || c == 'E') {
                        st = S_NUM_EXP;
                    } else {
                        st = endNumber(base + i);
                        continue;
                    }
                    break;
                case S_NUM_DOT:
                    st = c >= '0' && c <= '9' ? S_NUM_FRAC : fail(base + i);
                    break;
                case S_NUM_FRAC:
                    while (c >= '0' && c <= '9') {
                        if (++i == to) {
                            break loop;
                        }
                        c = a[i] & 0xFF;
                    }
                    if (c == 'e' || c == 'E') {
                        st = S_NUM_EXP;
                        break;
                    }
                    st = endNumber(base + i);
                    continue;
                case S_NUM_EXP:
                    if (c == '+' || c == '-') {
                        st = S_NUM_EXP_SIGN;
                        break;
                    }
                    // fall through: a digit may follow the 'e' directly
                case S_NUM_EXP_SIGN:
                    st = c >= '0' && c <= '9' ? S_NUM_EXP_DIGITS : fail(base + i);
                    break;
                case S_NUM_EXP_DIGITS:
                    while (c >= '0' && c <= '9') {
                        if (++i == to) {
                            break loop;
                        }
                        c = a[i] & 0xFF;
                    }
                    st = endNumber(base + i);
                    continue;
                case S_DONE:
                    while (isWhitespace(c)) {
                        if (++i == to) {
                            break loop;
                        }
                        c = a[i] & 0xFF;
                    }
                    st = fail(base + i);
                    break;
                default:
                    break loop;
            }
            if (st == S_ERROR) {
                break;
            }
            i++;
        }
        state = st;
        consumed += to - from;
    }

    private int startValue(int c, long position) {
        switch (c) {
            case '"':
                stringIsKey = false;
                capturing = false;
                stringEscaped = false;
                stringStart = position;
                return S_STRING;
            case '{':
            case '[':
                return open(c == '[', position);
            case 't':
                return startLiteral(LITERAL_TRUE);
            case 'f':
                return startLiteral(LITERAL_FALSE);
            case 'n':
                return startLiteral(LITERAL_NULL);
            case '-':
                numberStart = position;
                numberNegative = true;
                numberValue = 0;
                return S_NUM_MINUS;
            case '0':
                numberStart = position;
                numberNegative = false;
                numberValue = 0;
                return S_NUM_ZERO;
            default:
                if (c >= '1' && c <= '9') {
                    numberStart = position;
                    numberNegative = false;
                    numberValue = c - '0';
                    return S_NUM_INT;
                }
                return fail(position);
        }
    }

    private int startLiteral(int kind) {
        literalKind = kind;
        literalIndex = 1;
        return S_LITERAL;
    }

    private int endLiteral() {
        if (depth <= hookDepth) {
            onLiteral(depth, literalKind);
        }
        return afterValue();
    }

    private int endNumber(long end) {
        numberEnd = end;
        if (depth <= hookDepth) {
            onNumber(depth, numberNegative ? -numberValue : numberValue);
        }
        return afterValue();
    }

    private void startKey(long position) {
        stringIsKey = true;
        capturing = depth <= hookDepth;
        stringEscaped = false;
        stringStart = position;
        keyLength = 0;
    }

    private int endString(long end) {
        if (stringIsKey) {
            if (capturing) {
                onKey(depth, key, keyLength);
            }
            return S_COLON;
        }
        if (depth <= hookDepth) {
            onString(depth, stringStart, end, stringEscaped);
        }
        return afterValue();
    }

    private void appendKey(int c) {
        if (!capturing || keyLength < 0) {
            return;
        }
        if (keyLength == MAX_KEY_BYTES) {
            keyLength = -1;
        } else {
            key[keyLength++] = (byte) c;
        }
    }

    private int escape(int c, long position) {
        switch (c) {
            case '"':
            case '\\':
            case '/':
                appendKey(c);
                return S_STRING;
            case 'b':
                appendKey('\b');
                return S_STRING;
            case 'f':
                appendKey('\f');
                return S_STRING;
            case 'n':
                appendKey('\n');
                return S_STRING;
            case 'r':
                appendKey('\r');
                return S_STRING;
            case 't':
                appendKey('\t');
                return S_STRING;
            case 'u':
                hexLeft = 4;
                hexValue = 0;
                return S_UNICODE;
            default:
                return fail(position);
        }
    }

    private int unicodeDigit(int c, long position) {
        int digit = Character.digit(c, 16);
        if (digit < 0) {
            return fail(position);
        }
        hexValue = hexValue << 4 | digit;
        if (--hexLeft > 0) {
            return S_UNICODE;
        }
        if (hexValue < 0x80) {
            appendKey(hexValue);
        } else {
            keyLength = -1;
        }
        return S_STRING;
    }

    // Ranges from the well-formed UTF-8 table, Unicode 15 section 3.9, table 3-7.
    private int startUtf8(int c, long position) {
        utf8Low = 0x80;
        utf8High = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            utf8Left = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            utf8Left = 2;
            if (c == 0xE0) {
                utf8Low = 0xA0;
            } else if (c == 0xED) {
                utf8High = 0x9F;
            }
        } else if (c >= 0xF0 && c <= 0xF4) {
            utf8Left = 3;
            if (c == 0xF0) {
                utf8Low = 0x90;
            } else if (c == 0xF4) {
                utf8High = 0x8F;
            }
        } else {
            return fail(position);
        }
        return S_UTF8;
    }

    private int open(boolean array, long position) {
        if (depth == MAX_DEPTH) {
            return fail(position);
        }
        int valueDepth = depth++;
        long bit = 1L << (valueDepth & 63);
        if (array) {
            arrayBits[valueDepth >>> 6] |= bit;
        } else {
            arrayBits[valueDepth >>> 6] &= ~bit;
        }
        if (valueDepth <= hookDepth) {
            onStartContainer(valueDepth, array, position);
        }
        return array ? S_ARRAY_FIRST : S_OBJECT_FIRST;
    }

    private int close(boolean array, long position, boolean empty) {
        if (depth == 0 || isArray(depth) != array) {
            return fail(position);
        }
        depth--;
        if (depth <= hookDepth) {
            onEndContainer(depth, array, position, empty);
        }
        return afterValue();
    }

    private boolean isArray(int openDepth) {
        int valueDepth = openDepth - 1;
        return (arrayBits[valueDepth >>> 6] & 1L << (valueDepth & 63)) != 0;
    }

    private int afterValue() {
        return depth == 0 ? S_DONE : S_AFTER_VALUE;
    }

    private int fail(long position) {
        errorPosition = position;
        return S_ERROR;
    }

    /*
     * Whether any of the eight bytes is a quote, a backslash, a control character or not ASCII. Each term is the
     * "determine if a word has a zero byte" trick (Anderson, Bit Twiddling Hacks): it may flag extra bytes above a
     * real match, but is zero exactly when there is no match, which is all the skip loop needs.
     */
    private static boolean hasSpecialByte(long w) {
        long quote = w ^ 0x2222222222222222L;
        long backslash = w ^ 0x5C5C5C5C5C5C5C5CL;
        long found = (quote - 0x0101010101010101L) & ~quote
                | (backslash - 0x0101010101010101L) & ~backslash
                | (w - 0x2020202020202020L) & ~w
                | w;
        return (found & 0x8080808080808080L) != 0;
    }

    private static boolean isWhitespace(int c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }
}
