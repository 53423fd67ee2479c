package dev.llmproxy.codec.internal;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The value of a JSON number's text (RFC 8259 section 6, already validated by {@link JsonScanner}) read straight from
 * a buffer.
 *
 * <p>Thread-safety: stateless.
 */
public final class JsonNumbers {
    /*
     * Clinger's fast path: a decimal whose digits form an integer below 2^53 and whose power of ten is at most 22 in
     * magnitude converts exactly by one multiplication or division, both correctly rounded by IEEE 754, which is
     * what Double.parseDouble gives too. The common request parameters (0.7, 1, 0.95) take it and allocate nothing;
     * anything else goes through Double.parseDouble on the text.
     */
    private static final long MAX_EXACT = 1L << 53;
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22};

    private JsonNumbers() {}

    /**
     * The double the number text at {@code buf[index, index + length)} denotes, correctly rounded.
     *
     * @param buf not retained, indexes unchanged
     */
    public static double toDouble(ByteBuf buf, int index, int length) {
        int end = index + length;
        int i = index;
        boolean negative = buf.getByte(i) == '-';
        if (negative) {
            i++;
        }
        long mantissa = 0;
        int exponent = 0;
        boolean fraction = false;
        for (; i < end; i++) {
            int c = buf.getByte(i);
            if (c == '.') {
                fraction = true;
            } else if (c == 'e' || c == 'E') {
                break;
            } else {
                if (mantissa >= MAX_EXACT / 10) {
                    return parse(buf, index, length);
                }
                mantissa = mantissa * 10 + (c - '0');
                if (fraction) {
                    exponent--;
                }
            }
        }
        if (i < end) {
            int written = 0;
            boolean negativeExponent = false;
            int c = buf.getByte(++i);
            if (c == '+' || c == '-') {
                negativeExponent = c == '-';
                i++;
            }
            for (; i < end; i++) {
                if (written > 1000) {
                    return parse(buf, index, length);
                }
                written = written * 10 + (buf.getByte(i) - '0');
            }
            exponent += negativeExponent ? -written : written;
        }
        if (mantissa >= MAX_EXACT || exponent < -22 || exponent > 22) {
            return mantissa == 0 ? (negative ? -0.0 : 0.0) : parse(buf, index, length);
        }
        double value = exponent < 0 ? mantissa / POWERS_OF_TEN[-exponent] : mantissa * POWERS_OF_TEN[exponent];
        return negative ? -value : value;
    }

    /**
     * The integer at {@code buf[index, index + length)}, or {@code absent} when the text has a fraction or an exponent
     * or lies outside the long range.
     *
     * @param buf not retained, indexes unchanged
     */
    public static long toLong(ByteBuf buf, int index, int length, long absent) {
        int end = index + length;
        int i = index;
        boolean negative = buf.getByte(i) == '-';
        if (negative) {
            i++;
        }
        // Accumulated negatively, so that Long.MIN_VALUE itself fits.
        long value = 0;
        for (; i < end; i++) {
            int c = buf.getByte(i);
            if (c < '0' || c > '9') {
                return absent;
            }
            int digit = c - '0';
            if (value < (Long.MIN_VALUE + digit) / 10) {
                return absent;
            }
            value = value * 10 - digit;
        }
        if (negative) {
            return value;
        }
        return value == Long.MIN_VALUE ? absent : -value;
    }

    private static double parse(ByteBuf buf, int index, int length) {
        return Double.parseDouble(buf.toString(index, length, StandardCharsets.US_ASCII));
    }
}
