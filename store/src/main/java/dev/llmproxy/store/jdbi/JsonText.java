package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.StoreException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON text held in list and map columns: arrays of strings ({@code models}, {@code tags}) and objects of integers
 * ({@code model_rpm_limit}, {@code model_tpm_limit}). Only these two shapes are read; other JSON columns (metadata,
 * aliases) pass through the store as text. Thread-safe (stateless).
 */
final class JsonText {
    private JsonText() {}

    static String ofList(List<String> values) {
        StringBuilder out = new StringBuilder(2 + values.size() * 16).append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            quote(out, values.get(i));
        }
        return out.append(']').toString();
    }

    static String ofLongMap(Map<String, Long> values) {
        StringBuilder out = new StringBuilder(2 + values.size() * 24).append('{');
        boolean first = true;
        for (Map.Entry<String, Long> e : values.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            quote(out, e.getKey());
            out.append(':').append(e.getValue().longValue());
        }
        return out.append('}').toString();
    }

    /**
     * Reads an array of strings; null and {@code null} read as empty.
     *
     * @throws StoreException if the text is not an array of strings
     */
    static List<String> toList(@Nullable String json) {
        if (json == null) {
            return List.of();
        }
        Parser p = new Parser(json);
        if (p.skipNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        p.expect('[');
        if (!p.tryConsume(']')) {
            do {
                out.add(p.string());
            } while (p.tryConsume(','));
            p.expect(']');
        }
        p.end();
        return Collections.unmodifiableList(out);
    }

    /**
     * Reads an object whose values are integers (a fraction is cut off, as LiteLLM's int() would); null and
     * {@code null} read as empty.
     *
     * @throws StoreException if the text is not such an object
     */
    static Map<String, Long> toLongMap(@Nullable String json) {
        if (json == null) {
            return Map.of();
        }
        Parser p = new Parser(json);
        if (p.skipNull()) {
            return Map.of();
        }
        Map<String, Long> out = new LinkedHashMap<>();
        p.expect('{');
        if (!p.tryConsume('}')) {
            do {
                String key = p.string();
                p.expect(':');
                out.put(key, p.integer());
            } while (p.tryConsume(','));
            p.expect('}');
        }
        p.end();
        return Collections.unmodifiableMap(out);
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A cursor over one JSON text; not thread-safe. */
    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        boolean skipNull() {
            skipSpace();
            if (text.startsWith("null", pos)) {
                pos += 4;
                end();
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!tryConsume(c)) {
                throw fail("expected '" + c + "'");
            }
        }

        boolean tryConsume(char c) {
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        void end() {
            skipSpace();
            if (pos != text.length()) {
                throw fail("unexpected text after the value");
            }
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (pos >= text.length()) {
                    break;
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (pos + 4 > text.length()) {
                            throw fail("short \\u escape");
                        }
                        try {
                            out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw fail("bad \\u escape");
                        }
                        pos += 4;
                    }
                    default -> throw fail("bad escape");
                }
            }
            throw fail("unterminated string");
        }

        long integer() {
            skipSpace();
            int start = pos;
            while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            String number = text.substring(start, pos);
            try {
                if (number.indexOf('.') < 0 && number.indexOf('e') < 0 && number.indexOf('E') < 0) {
                    return Long.parseLong(number);
                }
                return (long) Double.parseDouble(number);
            } catch (NumberFormatException ex) {
                throw fail("expected a number");
            }
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private StoreException fail(String what) {
            return new StoreException("stored JSON unreadable at offset " + pos + ": " + what);
        }
    }
}
