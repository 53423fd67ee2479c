package dev.llmproxy.codec.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Encodes and decodes JSON string and number text directly in {@link ByteBuf}s.
 *
 * <p>Thread-safety: stateless.
 */
public final class JsonText {
    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    private JsonText() {
    }

    /**
     * Returns {@code value} as a complete JSON string literal in UTF-8, quotes included. Allocates; cache the result.
     */
    public static byte[] quote(String value) {
        ByteBuf buf = Unpooled.buffer(value.length() + 8);
        try {
            writeString(buf, value);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /**
     * Writes {@code value} as a quoted, escaped JSON string in UTF-8 at {@code out}'s writer index. Unpaired
     * surrogates become {@code ?}, as in {@link ByteBufUtil#writeUtf8(ByteBuf, CharSequence)}.
     */
    public static void writeString(ByteBuf out, CharSequence value) {
        out.writeByte('"');
        int runStart = 0;
        int length = value.length();
        for (int i = 0; i < length; i++) {
            char ch = value.charAt(i);
            if (ch >= 0x20 && ch != '"' && ch != '\\') {
                continue;
            }
            if (i > runStart) {
                ByteBufUtil.writeUtf8(out, value, runStart, i);
            }
            writeEscape(out, ch);
            runStart = i + 1;
        }
        if (length > runStart) {
            ByteBufUtil.writeUtf8(out, value, runStart, length);
        }
        out.writeByte('"');
    }

    /** Writes {@code value} in decimal at {@code out}'s writer index. */
    public static void writeLong(ByteBuf out, long value) {
        if (value == Long.MIN_VALUE) {
            out.writeCharSequence(Long.toString(value), StandardCharsets.US_ASCII);
            return;
        }
        if (value < 0) {
            out.writeByte('-');
            value = -value;
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        int end = out.writerIndex() + digits;
        out.ensureWritable(digits);
        for (int i = end - 1; i >= end - digits; i--) {
            out.setByte(i, (int) ('0' + value % 10));
            value /= 10;
        }
        out.writerIndex(end);
    }

    /**
     * Decodes the contents of a JSON string (without its quotes) at {@code buf[index, index + length)}, which must
     * have passed {@link JsonScanner} validation.
     */
    public static String decodeString(ByteBuf buf, int index, int length) {
        int end = index + length;
        int escape = buf.indexOf(index, end, (byte) '\\');
        if (escape < 0) {
            return buf.toString(index, length, StandardCharsets.UTF_8);
        }
        StringBuilder sb = new StringBuilder(length);
        int runStart = index;
        while (escape >= 0) {
            // A backslash byte never occurs inside a multi-byte UTF-8 sequence, so runs split cleanly.
            sb.append(buf.toString(runStart, escape - runStart, StandardCharsets.UTF_8));
            char kind = (char) buf.getByte(escape + 1);
            runStart = escape + 2;
            switch (kind) {
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(buf.toString(runStart, 4, StandardCharsets.US_ASCII), 16));
                    runStart += 4;
                }
                default -> sb.append(kind);
            }
            escape = buf.indexOf(runStart, end, (byte) '\\');
        }
        sb.append(buf.toString(runStart, end - runStart, StandardCharsets.UTF_8));
        return sb.toString();
    }

    private static void writeEscape(ByteBuf out, char ch) {
        out.writeByte('\\');
        switch (ch) {
            case '"', '\\' -> out.writeByte(ch);
            case '\b' -> out.writeByte('b');
            case '\f' -> out.writeByte('f');
            case '\n' -> out.writeByte('n');
            case '\r' -> out.writeByte('r');
            case '\t' -> out.writeByte('t');
            default -> {
                out.writeByte('u');
                out.writeByte('0');
                out.writeByte('0');
                out.writeByte(HEX[ch >> 4]);
                out.writeByte(HEX[ch & 0xF]);
            }
        }
    }
}
