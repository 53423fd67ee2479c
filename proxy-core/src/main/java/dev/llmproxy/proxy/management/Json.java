package dev.llmproxy.proxy.management;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Management request and response bodies as plain Java values (String, Long, Double, Boolean, null, List, Map), read
 * and written with Jackson's streaming core. Management bodies are small and rare, so trees are fine here.
 *
 * <p>Thread-safety: stateless.
 */
final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private Json() {}

    /**
     * Reads a JSON object; an empty body reads as an empty object.
     *
     * @throws BadRequest if the body is not a JSON object
     */
    static Map<String, @Nullable Object> readObject(byte[] body) {
        if (isBlank(body)) {
            return new LinkedHashMap<>();
        }
        try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadRequest("Request body must be a JSON object");
            }
            Map<String, @Nullable Object> value = readMap(p);
            if (p.nextToken() != null) {
                throw new BadRequest("Request body has data after the JSON object");
            }
            return value;
        } catch (JacksonException e) {
            throw new BadRequest("Invalid JSON in request body: " + e.getOriginalMessage());
        }
    }

    /** Writes {@code value} as JSON. */
    static byte[] write(@Nullable Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(ObjectWriteContext.empty(), out, JsonEncoding.UTF8)) {
            writeValue(g, value);
        }
        return out.toByteArray();
    }

    /** Writes {@code value} as JSON text. */
    static String writeString(@Nullable Object value) {
        return new String(write(value), StandardCharsets.UTF_8);
    }

    private static Map<String, @Nullable Object> readMap(JsonParser p) {
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            p.nextToken();
            map.put(name, readValue(p));
        }
        return map;
    }

    private static @Nullable Object readValue(JsonParser p) {
        JsonToken token = p.currentToken();
        if (token == null) {
            throw new BadRequest("Unexpected end of JSON");
        }
        return switch (token) {
            case START_OBJECT -> readMap(p);
            case START_ARRAY -> {
                List<@Nullable Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(readValue(p));
                }
                yield list;
            }
            case VALUE_STRING -> p.getString();
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? (Object) p.getDoubleValue() : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new BadRequest("Unexpected JSON token " + token);
        };
    }

    private static void writeValue(JsonGenerator g, @Nullable Object value) {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Integer i) {
            g.writeNumber(i);
        } else if (value instanceof Long l) {
            g.writeNumber(l);
        } else if (value instanceof Double d) {
            g.writeNumber(d);
        } else if (value instanceof BigInteger b) {
            g.writeNumber(b);
        } else if (value instanceof BigDecimal b) {
            g.writeNumber(b);
        } else if (value instanceof RawJson raw) {
            g.writeRawValue(raw.text());
        } else if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeName(String.valueOf(e.getKey()));
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof Iterable<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                writeValue(g, item);
            }
            g.writeEndArray();
        } else {
            g.writeString(value.toString());
        }
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    /** JSON text written as it is (a stored JSON column). */
    record RawJson(String text) {}
}
