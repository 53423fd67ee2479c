package dev.llmproxy.codec.testing;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * A plain JSON tree for reference translations in tests: objects are {@link LinkedHashMap}s (so equality ignores member
 * order, as JSON does), arrays {@link ArrayList}s, strings {@link String}s, numbers {@link BigDecimal}s with trailing
 * zeros stripped (so {@code 1.0} equals {@code 1}), booleans {@link Boolean}s and null {@link #NULL}.
 */
public final class Json {
    /** JSON's null (maps do not hold Java nulls). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };
    private static final JsonFactory JSON = new JsonFactory();

    private Json() {
    }

    /** Parses {@code text}, which must hold exactly one JSON value. */
    public static Object parse(String text) {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), text)) {
            p.nextToken();
            Object value = read(p);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("more than one JSON value: " + text);
            }
            return value;
        }
    }

    /** Parses {@code text}, which must hold exactly one JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        return (Map<String, Object>) parse(text);
    }

    /** Writes a tree made of the types above (also {@link Number}s of any kind) as compact JSON. */
    public static String write(Object tree) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            write(g, tree);
        }
        return out.toString();
    }

    /** A new object from alternating names and values. */
    public static Map<String, Object> object(Object... namesAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    /** A number as this tree holds it. */
    public static BigDecimal number(long value) {
        return BigDecimal.valueOf(value);
    }

    private static Object read(JsonParser p) {
        JsonToken token = p.currentToken();
        switch (token) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, read(p));
                }
                return map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p));
                }
                return list;
            }
            case VALUE_STRING -> {
                return p.getString();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return normalize(new BigDecimal(p.getText()));
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return token == JsonToken.VALUE_TRUE;
            }
            case VALUE_NULL -> {
                return NULL;
            }
            default -> throw new IllegalArgumentException("unexpected token " + token);
        }
    }

    private static BigDecimal normalize(BigDecimal number) {
        BigDecimal stripped = number.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    @SuppressWarnings("unchecked")
    private static void write(JsonGenerator g, Object value) {
        if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
                g.writeName(e.getKey());
                write(g, e.getValue());
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
        } else if (value instanceof BigDecimal d) {
            g.writeNumber(d);
        } else if (value instanceof Number n) {
            g.writeNumber(new BigDecimal(n.toString()));
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value == NULL) {
            g.writeNull();
        } else {
            throw new IllegalArgumentException("not a JSON tree value: " + value);
        }
    }
}
