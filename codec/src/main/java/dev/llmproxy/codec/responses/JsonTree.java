package dev.llmproxy.codec.responses;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.RawJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * A small JSON tree for the bridge: objects are {@link Map}s in document order, arrays {@link List}s, strings
 * {@link String}s, booleans {@link Boolean}s, numbers {@link RawJson} (their text kept exactly) and null is
 * {@link #NULL}. The Responses and chat shapes are small and nested, so reading them into a tree keeps the mapping
 * readable; the bodies are bounded by the proxy's request and event limits.
 *
 * <p>Thread-safety: stateless.
 */
final class JsonTree {
    /** JSON null inside a tree (maps and lists do not hold Java nulls). */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private JsonTree() {
    }

    /**
     * Reads {@code buf[index, index + length)}.
     *
     * @throws IllegalArgumentException if it is not exactly one valid JSON value
     */
    static Object read(ByteBuf buf, int index, int length) {
        JsonInput input = JsonInput.of(buf, index, length);
        try (JsonParser p = input.parser()) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new IllegalArgumentException("empty JSON");
            }
            Object value = value(p);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("trailing data after the JSON value");
            }
            return value;
        } catch (JacksonException e) {
            throw new IllegalArgumentException("invalid JSON", e);
        }
    }

    /**
     * Reads the object at {@code buf[index, index + length)} keeping only the members named in {@code kept}; the others
     * are skipped without being built (still checked to be well-formed JSON).
     *
     * @return the kept members, or {@code null} when the value is not an object
     * @throws IllegalArgumentException if it is not exactly one valid JSON value
     */
    static @Nullable Map<String, Object> readObject(ByteBuf buf, int index, int length, Set<String> kept) {
        JsonInput input = JsonInput.of(buf, index, length);
        try (JsonParser p = input.parser()) {
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
                        object.put(name, value(p));
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

    /** Reads the readable bytes of {@code buf}; see {@link #read(ByteBuf, int, int)}. */
    static Object read(ByteBuf buf) {
        return read(buf, buf.readerIndex(), buf.readableBytes());
    }

    private static Object value(JsonParser p) {
        JsonToken token = p.currentToken();
        switch (token) {
            case START_OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, value(p));
                }
                return map;
            }
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(p));
                }
                return list;
            }
            case VALUE_STRING:
                return p.getString();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return NULL;
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT:
                return new RawJson(p.getText());
            default:
                throw new IllegalArgumentException("unexpected JSON token " + token);
        }
    }

    /** Writes a tree value. */
    static void write(JsonGenerator g, @Nullable Object value) {
        if (value == null || value == NULL) {
            g.writeNull();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof RawJson raw) {
            raw.write(g);
        } else if (value instanceof Long n) {
            g.writeNumber(n);
        } else if (value instanceof Integer n) {
            g.writeNumber(n);
        } else if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeName((String) e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof List<?> list) {
            g.writeStartArray();
            for (Object element : list) {
                write(g, element);
            }
            g.writeEndArray();
        } else {
            throw new IllegalArgumentException("not a JSON tree value: " + value.getClass());
        }
    }

    /** Writes {@code value} as compact JSON into a new buffer from {@code alloc}, owned by the caller. */
    static ByteBuf encode(ByteBufAllocator alloc, Object value) {
        ByteBuf out = alloc.buffer(256);
        try {
            writeTo(out, value);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** Appends {@code value} as compact JSON to {@code out}. */
    static void writeTo(ByteBuf out, Object value) {
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            write(g, value);
        }
    }

    static @Nullable Map<String, Object> object(@Nullable Object value) {
        if (value instanceof Map<?, ?> map) {
            @SuppressWarnings("unchecked")
            Map<String, Object> object = (Map<String, Object>) map;
            return object;
        }
        return null;
    }

    static @Nullable List<Object> array(@Nullable Object value) {
        if (value instanceof List<?> list) {
            @SuppressWarnings("unchecked")
            List<Object> array = (List<Object>) list;
            return array;
        }
        return null;
    }

    static @Nullable String string(@Nullable Object value) {
        return value instanceof String s ? s : null;
    }

    /** A whole number's value, or {@code fallback} when {@code value} is not one. */
    static long number(@Nullable Object value, long fallback) {
        if (value instanceof Long n) {
            return n;
        }
        if (value instanceof Integer n) {
            return n;
        }
        if (value instanceof RawJson raw) {
            try {
                return Long.parseLong(raw.json());
            } catch (NumberFormatException e) {
                // A fraction or an exponent where a count belongs: the provider's figure is unusable, not fatal.
                return fallback;
            }
        }
        return fallback;
    }

    /** An object with the given alternating names and values, in order. */
    static Map<String, Object> obj(Object... namesAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }
}
