package dev.llmproxy.codec.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * JSON values as plain Java objects, for translations whose shapes are nested deeply enough that a small tree is
 * clearer than a streaming walk (Bedrock's requests and whole responses, the Responses bridge), and for the reference
 * translations of the differential tests: objects are {@link LinkedHashMap}s (order kept), arrays {@link List}s, strings
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

    /**
     * Reads {@code buf[index, index + length)}, numbers as {@link RawJson}.
     *
     * @param buf not taken, indexes unchanged
     * @throws IllegalArgumentException if it is not exactly one valid JSON value
     */
    public static Object read(ByteBuf buf, int index, int length) {
        try (JsonParser p = JsonInput.of(buf, index, length).parser()) {
            if (p.nextToken() == null) {
                throw new IllegalArgumentException("empty JSON");
            }
            Object value = read(p);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("trailing data after the JSON value");
            }
            return value;
        } catch (JacksonException e) {
            throw new IllegalArgumentException("invalid JSON", e);
        }
    }

    /** Reads the readable bytes of {@code buf} (not taken); see {@link #read(ByteBuf, int, int)}. */
    public static Object read(ByteBuf buf) {
        return read(buf, buf.readerIndex(), buf.readableBytes());
    }

    /**
     * Reads the object at {@code buf[index, index + length)} keeping only the members named in {@code kept}; the others
     * are skipped without being built (still checked to be well-formed JSON): a streamed event's few useful members.
     *
     * @param buf not taken, indexes unchanged
     * @return the kept members, or {@code null} when the value is not an object
     * @throws IllegalArgumentException if it is not exactly one valid JSON value
     */
    public static @Nullable Map<String, Object> readObject(ByteBuf buf, int index, int length, Set<String> kept) {
        try (JsonParser p = JsonInput.of(buf, index, length).parser()) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new IllegalArgumentException("empty JSON");
            }
            @Nullable Map<String, Object> object = null;
            if (first == JsonToken.START_OBJECT) {
                object = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    if (kept.contains(name)) {
                        object.put(name, read(p));
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("trailing data after the JSON value");
            }
            return object;
        } catch (JacksonException e) {
            throw new IllegalArgumentException("invalid JSON", e);
        }
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

    /** Writes {@code value} as compact JSON into a new buffer from {@code alloc}, owned by the caller. */
    public static ByteBuf encode(ByteBufAllocator alloc, Object value) {
        return encode(alloc, value, 256);
    }

    /**
     * Writes {@code value} as compact JSON into a new buffer from {@code alloc}, owned by the caller, sized first for
     * {@code sizeHint} bytes (a translated request is about as long as the client's, images included).
     */
    public static ByteBuf encode(ByteBufAllocator alloc, Object value, int sizeHint) {
        ByteBuf out = alloc.buffer(sizeHint);
        try {
            writeTo(out, value);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** The compact JSON text of {@code value}. */
    public static String text(@Nullable Object value) {
        StringWriter writer = new StringWriter();
        try (JsonGenerator g = JsonInput.JSON.createGenerator(ObjectWriteContext.empty(), writer)) {
            write(g, value);
        }
        return writer.toString();
    }

    /** Appends {@code value} as compact JSON to {@code out}. */
    public static void writeTo(ByteBuf out, Object value) {
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            write(g, value);
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

    /** {@code value} as a list, or {@code null} when it is not one (where a missing list and an empty one differ). */
    @SuppressWarnings("unchecked")
    public static @Nullable List<Object> array(@Nullable Object value) {
        return value instanceof List<?> ? (List<Object>) value : null;
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

    /**
     * A whole number's value (a count), or {@code fallback} when {@code value} is not one: a fraction or an exponent
     * where a count belongs is an unusable figure, not a fatal one.
     */
    public static long number(@Nullable Object value, long fallback) {
        if (value instanceof RawJson raw) {
            try {
                return Long.parseLong(raw.json());
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
        if (value instanceof Long || value instanceof Integer) {
            return ((Number) value).longValue();
        }
        return fallback;
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
