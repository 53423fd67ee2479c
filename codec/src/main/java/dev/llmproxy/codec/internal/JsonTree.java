package dev.llmproxy.codec.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * JSON values as plain Java objects, for translations whose shapes are nested deeply enough that a small tree is
 * clearer than a streaming walk (Bedrock's requests and whole responses), and for the reference translations of the
 * differential tests: objects are {@link LinkedHashMap}s (order kept), arrays {@link List}s, strings
 * {@link String}s, booleans {@link Boolean}s, numbers {@link RawJson} (their text kept exactly, unless the reader is
 * given another form) and {@code null} {@link #NULL}.
 *
 * <p>Thread-safety: stateless.
 */
public final class JsonTree {
    /** JSON {@code null} (a map cannot hold Java null values usefully). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private JsonTree() {
    }

    /** Reads the value {@code p} is at, numbers as {@link RawJson}. */
    public static Object read(JsonParser p) {
        return read(p, RawJson::new);
    }

    /**
     * Reads the value {@code p} is at.
     *
     * @param number makes a number of the tree from its JSON text
     * @throws IllegalArgumentException if {@code p} is at no value
     */
    public static Object read(JsonParser p, Function<String, Object> number) {
        JsonToken token = p.currentToken();
        if (token == null) {
            throw new IllegalArgumentException("no value");
        }
        return switch (token) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, read(p, number));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p, number));
                }
                yield list;
            }
            case VALUE_STRING -> p.getString();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> NULL;
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> number.apply(p.getText());
            default -> throw new IllegalArgumentException("unexpected token " + token);
        };
    }

    /** Writes a tree of the types above; numbers may also be any {@link Number}, and anything else is written null. */
    public static void write(JsonGenerator g, @Nullable Object value) {
        if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                g.writeName((String) entry.getKey());
                write(g, entry.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof List<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                write(g, item);
            }
            g.writeEndArray();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof RawJson raw) {
            raw.write(g);
        } else if (value instanceof BigDecimal d) {
            g.writeNumber(d);
        } else if (value instanceof Number n) {
            g.writeNumber(new BigDecimal(n.toString()));
        } else {
            g.writeNull();
        }
    }

    @SuppressWarnings("unchecked")
    public static @Nullable Map<String, Object> object(@Nullable Object value) {
        return value instanceof Map<?, ?> ? (Map<String, Object>) value : null;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(@Nullable Object value) {
        return value instanceof List<?> ? (List<Object>) value : List.of();
    }

    public static @Nullable String string(@Nullable Object value) {
        return value instanceof String s ? s : null;
    }

    /** A {@link RawJson} number's integer part; 0 for anything else. */
    public static long number(@Nullable Object value) {
        if (value instanceof RawJson raw) {
            try {
                return (long) Double.parseDouble(raw.json());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    /** A new object from alternating names and values. */
    public static Map<String, Object> map(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
