package dev.llmproxy.codec.testing;

import java.util.Arrays;

/**
 * Reads a fuzz test's raw input front to back: a few control bytes, then the payload. The layout is plain so that
 * seed files can be written by hand (control bytes, then the JSON or SSE text); past the end every read returns
 * zeros.
 *
 * <p>Thread-safety: none; one instance per input.
 */
public final class FuzzInput {
    private final byte[] bytes;
    private int position;

    public FuzzInput(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Returns the next byte as 0..255, or 0 past the end. */
    public int nextByte() {
        return position < bytes.length ? bytes[position++] & 0xFF : 0;
    }

    /** Returns the next byte modulo {@code bound} (exclusive). */
    public int nextInt(int bound) {
        return nextByte() % bound;
    }

    /** Returns the next two bytes as an unsigned big-endian number. */
    public int nextShort() {
        return nextByte() << 8 | nextByte();
    }

    /** Returns the next {@code length} bytes, fewer at the end. */
    public byte[] next(int length) {
        int end = Math.min(bytes.length, position + length);
        byte[] out = Arrays.copyOfRange(bytes, Math.min(position, end), end);
        position = end;
        return out;
    }

    /** Returns everything not read yet. */
    public byte[] rest() {
        return next(Math.max(0, bytes.length - position));
    }
}
