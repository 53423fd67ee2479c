package dev.llmproxy.codec.bedrock;

import dev.llmproxy.codec.internal.RawJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * JSON values as plain Java objects, for the request and whole-response translations, whose shapes are nested deeply
 * enough that a small tree is clearer than a streaming walk: objects are {@link LinkedHashMap}s (order kept), arrays
 * {@link List}s, strings {@link String}s, booleans {@link Boolean}s, numbers {@link RawJson} (their text kept exactly)
 * and {@code null} {@link #NULL}.
 *
 * <p>Thread-safety: stateless.
 */
final class JsonTree {
    /** JSON {@code null} (a map cannot hold Java null values usefully). */
    static final Object NULL = new Object();

    private JsonTree() {
    }

    /** Reads the value {@code p} is at. */
    static Object read(JsonParser p) {
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
                    map.put(name, read(p));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p));
                }
                yield list;
            }
            case VALUE_STRING -> p.getString();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> NULL;
            default -> new RawJson(p.getText());
        };
    }

    static void write(JsonGenerator g, Object value) {
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
        } else {
            g.writeNull();
        }
    }

    @SuppressWarnings("unchecked")
    static @Nullable Map<String, Object> object(@Nullable Object value) {
        return value instanceof Map<?, ?> ? (Map<String, Object>) value : null;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(@Nullable Object value) {
        return value instanceof List<?> ? (List<Object>) value : List.of();
    }

    static @Nullable String string(@Nullable Object value) {
        return value instanceof String s ? s : null;
    }

    static long number(@Nullable Object value) {
        if (value instanceof RawJson raw) {
            try {
                return (long) Double.parseDouble(raw.json());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    static Map<String, Object> map(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
