package dev.llmproxy.proxy.call;

import tools.jackson.core.io.NumberOutput;

/**
 * Doubles written as Python's {@code str(float)} writes them, which is what LiteLLM's headers carry
 * ({@code x-litellm-response-cost: 2.25e-05}, {@code x-litellm-key-spend: 0.0}): the shortest digits that read back
 * as the same double, in plain notation from 1e-4 up to 1e16 ({@code 0.0001}, {@code 12.5}, {@code 3.0}) and in
 * exponent notation with a signed exponent of at least two digits outside it ({@code 1e-05}, {@code 1.5e+16}).
 *
 * <p>The shortest digits come from Jackson's Schubfach writer: Java 17's {@link Double#toString} sometimes writes one
 * digit more than needed, which Python never does.
 *
 * <p>Thread-safety: stateless.
 */
final class PythonFloats {
    private PythonFloats() {
    }

    /** {@code str(value)} in Python; {@code nan}, {@code inf} and {@code -inf} for the values that are not finite. */
    static String repr(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return 1 / value < 0 ? "-0.0" : "0.0";
        }
        String java = NumberOutput.toString(value, true);
        StringBuilder digits = new StringBuilder(20);
        int exponentAt = java.indexOf('E');
        int mantissaEnd = exponentAt < 0 ? java.length() : exponentAt;
        // The value is 0.<digits> x 10^point once the digits are read.
        int point = 0;
        boolean seenPoint = false;
        for (int i = 0; i < mantissaEnd; i++) {
            char c = java.charAt(i);
            if (c == '.') {
                seenPoint = true;
            } else if (c >= '0' && c <= '9') {
                if (c == '0' && digits.length() == 0) {
                    if (seenPoint) {
                        point--;
                    }
                    continue;
                }
                digits.append(c);
                if (!seenPoint) {
                    point++;
                }
            }
        }
        int trailing = digits.length();
        while (trailing > 1 && digits.charAt(trailing - 1) == '0') {
            trailing--;
        }
        digits.setLength(trailing);
        if (exponentAt >= 0) {
            point += Integer.parseInt(java, exponentAt + 1, java.length(), 10);
        }
        StringBuilder out = new StringBuilder(24);
        if (value < 0) {
            out.append('-');
        }
        int n = digits.length();
        if (point <= -4 || point > 16) {
            out.append(digits.charAt(0));
            if (n > 1) {
                out.append('.').append(digits, 1, n);
            }
            int exponent = point - 1;
            out.append('e').append(exponent < 0 ? '-' : '+');
            int magnitude = Math.abs(exponent);
            if (magnitude < 10) {
                out.append('0');
            }
            return out.append(magnitude).toString();
        }
        if (point <= 0) {
            out.append("0.");
            for (int i = point; i < 0; i++) {
                out.append('0');
            }
            return out.append(digits).toString();
        }
        if (point < n) {
            return out.append(digits, 0, point).append('.').append(digits, point, n).toString();
        }
        out.append(digits);
        for (int i = n; i < point; i++) {
            out.append('0');
        }
        return out.append(".0").toString();
    }
}
