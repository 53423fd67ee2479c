package dev.llmproxy.proxy.trace;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/*
 * Implementation notes.
 *
 * Protobuf puts a message's length before its bytes, and the length is only known once the message is written. A
 * nested message reserves one byte for its length; when it ends longer than 127 bytes its contents move up by the
 * extra bytes its varint needs (one arraycopy). Attributes (the most numerous messages) are almost always short and
 * never move; a span (a few hundred bytes) moves once by one byte; the batch's enclosing messages move once per
 * export. That keeps every length minimal, as protobuf's own encoders write them, without a sizing pass.
 *
 * Strings are written as UTF-8 straight into the buffer: ASCII (model names, ids, attribute keys) char by char, the
 * rest through String.getBytes.
 */
/**
 * A growable protobuf wire-format writer: tags, varints, fixed64/fixed32, strings, bytes and nested messages.
 *
 * <p>Thread-safety: not thread-safe; one exporter thread owns an instance and reuses it for every batch.
 */
final class ProtoWriter {
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_FIXED64 = 1;
    private static final int WIRE_LENGTH_DELIMITED = 2;
    private static final int WIRE_FIXED32 = 5;

    private byte[] buffer;
    private int position;

    ProtoWriter(int initialCapacity) {
        this.buffer = new byte[initialCapacity];
    }

    /** Forgets what was written, keeping the buffer. */
    void reset() {
        position = 0;
    }

    /** The bytes written so far are {@code array()[0, size())}; valid until the next write. */
    byte[] array() {
        return buffer;
    }

    int size() {
        return position;
    }

    /** Opens a nested message as field {@code field}; returns the mark {@link #endMessage} takes. */
    int startMessage(int field) {
        tag(field, WIRE_LENGTH_DELIMITED);
        ensure(1);
        buffer[position++] = 0;
        return position;
    }

    /** Closes the message opened at {@code mark}, writing its length. */
    void endMessage(int mark) {
        int length = position - mark;
        int extra = varintSize(length) - 1;
        if (extra > 0) {
            ensure(extra);
            System.arraycopy(buffer, mark, buffer, mark + extra, length);
            position += extra;
        }
        int at = mark - 1;
        int value = length;
        while ((value & ~0x7F) != 0) {
            buffer[at++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buffer[at] = (byte) value;
    }

    /** Copies {@code bytes} as they are: fields encoded once beforehand (the resource, the scope). */
    void raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, position, bytes.length);
        position += bytes.length;
    }

    void string(int field, String value) {
        tag(field, WIRE_LENGTH_DELIMITED);
        int length = value.length();
        int ascii = 0;
        while (ascii < length && value.charAt(ascii) < 0x80) {
            ascii++;
        }
        if (ascii < length) {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            varint(utf8.length);
            raw(utf8);
            return;
        }
        varint(length);
        ensure(length);
        for (int i = 0; i < length; i++) {
            buffer[position++] = (byte) value.charAt(i);
        }
    }

    /**
     * Writes {@code first + separator + second} as one string field without building that string (a span's name:
     * operation and model); non-ASCII text goes through {@link #string(int, String)}.
     */
    void string(int field, String first, char separator, String second) {
        if (separator >= 0x80 || !isAscii(first) || !isAscii(second)) {
            string(field, first + separator + second);
            return;
        }
        int length = first.length() + 1 + second.length();
        tag(field, WIRE_LENGTH_DELIMITED);
        varint(length);
        ensure(length);
        position = ascii(first, position);
        buffer[position++] = (byte) separator;
        position = ascii(second, position);
    }

    /** Writes two longs, big-endian, as one 16-byte {@code bytes} field (a trace id). */
    void bytes16(int field, long high, long low) {
        tag(field, WIRE_LENGTH_DELIMITED);
        varint(16);
        bigEndian(high);
        bigEndian(low);
    }

    /** Writes a long, big-endian, as one 8-byte {@code bytes} field (a span id). */
    void bytes8(int field, long value) {
        tag(field, WIRE_LENGTH_DELIMITED);
        varint(8);
        bigEndian(value);
    }

    void int64(int field, long value) {
        tag(field, WIRE_VARINT);
        varint(value);
    }

    void bool(int field, boolean value) {
        tag(field, WIRE_VARINT);
        ensure(1);
        buffer[position++] = (byte) (value ? 1 : 0);
    }

    void fixed64(int field, long value) {
        tag(field, WIRE_FIXED64);
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buffer[position++] = (byte) (value >>> (8 * i));
        }
    }

    void fixed32(int field, int value) {
        tag(field, WIRE_FIXED32);
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buffer[position++] = (byte) (value >>> (8 * i));
        }
    }

    private int ascii(String value, int at) {
        for (int i = 0; i < value.length(); i++) {
            buffer[at++] = (byte) value.charAt(i);
        }
        return at;
    }

    private static boolean isAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private void tag(int field, int wireType) {
        varint((long) field << 3 | wireType);
    }

    private void varint(long value) {
        ensure(10);
        long rest = value;
        while ((rest & ~0x7FL) != 0) {
            buffer[position++] = (byte) ((rest & 0x7F) | 0x80);
            rest >>>= 7;
        }
        buffer[position++] = (byte) rest;
    }

    private void bigEndian(long value) {
        ensure(8);
        for (int i = 7; i >= 0; i--) {
            buffer[position++] = (byte) (value >>> (8 * i));
        }
    }

    private void ensure(int more) {
        if (position + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, position + more));
        }
    }

    private static int varintSize(int value) {
        return value < 1 << 7 ? 1 : value < 1 << 14 ? 2 : value < 1 << 21 ? 3 : value < 1 << 28 ? 4 : 5;
    }
}
