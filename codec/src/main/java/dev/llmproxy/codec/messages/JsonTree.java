package dev.llmproxy.codec.messages;

import dev.llmproxy.codec.internal.JsonInput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * A small JSON value model for the request translation, which reshapes nested structures (content blocks, tool
 * schemas) too freely for a single streaming pass: objects are {@link LinkedHashMap}s (member order kept), arrays
 * {@link ArrayList}s, strings {@link String}s, numbers {@link Num} (their text kept exactly), booleans
 * {@link Boolean}s, and JSON {@code null} Java {@code null}. Requests are read once per call, so the tree costs
 * little next to the network call; the response directions, which run per streamed event, do not use it.
 *
 * <p>Thread-safety: stateless.
 */
final class JsonTree {

    /** A JSON number, kept as its text so that nothing is rounded on the way through. */
    record Num(String text) {
        long longValue() {
            try {
                return (long) Double.parseDouble(text);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }

    private JsonTree() {
    }

    /** Reads the readable bytes of {@code body} (not taken). */
    static @Nullable Object parse(ByteBuf body) {
        try (JsonParser p = JsonInput.of(body).parser()) {
            JsonToken token = p.nextToken();
            if (token == null) {
                throw new IllegalArgumentException("empty body");
            }
            Object value = read(p);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("trailing content after the JSON value");
            }
            return value;
        }
    }

    /** Reads the value the parser is at; leaves it on the value's last token. */
    static @Nullable Object read(JsonParser p) {
        JsonToken token = p.currentToken();
        switch (token) {
            case START_OBJECT: {
                Map<String, @Nullable Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, read(p));
                }
                return map;
            }
            case START_ARRAY: {
                List<@Nullable Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p));
                }
                return list;
            }
            case VALUE_STRING:
                return p.getString();
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new Num(p.getString());
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new IllegalArgumentException("unexpected JSON token " + token);
        }
    }

    /** Writes {@code value} as one JSON document into a buffer from {@code alloc}, owned by the caller. */
    static ByteBuf write(ByteBufAllocator alloc, @Nullable Object value, int sizeHint) {
        ByteBuf out = alloc.buffer(sizeHint);
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            write(g, value);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }

    /** The compact JSON text of {@code value}. */
    static String text(@Nullable Object value) {
        StringWriter writer = new StringWriter();
        try (JsonGenerator g = JsonInput.JSON.createGenerator(ObjectWriteContext.empty(), writer)) {
            write(g, value);
        }
        return writer.toString();
    }

    static void write(JsonGenerator g, @Nullable Object value) {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Num n) {
            g.writeNumber(n.text());
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeName((String) e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof List<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                write(g, item);
            }
            g.writeEndArray();
        } else if (value instanceof Long l) {
            g.writeNumber(l);
        } else {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    @SuppressWarnings("unchecked")
    static @Nullable Map<String, @Nullable Object> object(@Nullable Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, @Nullable Object>) map : null;
    }

    @SuppressWarnings("unchecked")
    static @Nullable List<@Nullable Object> array(@Nullable Object value) {
        return value instanceof List<?> list ? (List<@Nullable Object>) list : null;
    }

    static @Nullable String string(@Nullable Object value) {
        return value instanceof String s ? s : null;
    }
}
