package dev.llmproxy.codec.testing;

import dev.llmproxy.codec.internal.JsonTree;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * A plain JSON tree for reference translations in tests: {@link JsonTree}'s, with numbers as {@link BigDecimal}s with
 * trailing zeros stripped (so {@code 1.0} equals {@code 1}); objects are {@link LinkedHashMap}s, so equality ignores
 * member order, as JSON does.
 */
public final class Json {
    /** JSON's null (maps do not hold Java nulls). */
    public static final Object NULL = JsonTree.NULL;
    private static final JsonFactory JSON = new JsonFactory();

    private Json() {
    }

    /** Parses {@code text}, which must hold exactly one JSON value. */
    public static Object parse(String text) {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), text)) {
            p.nextToken();
            Object value = JsonTree.read(p, number -> normalize(new BigDecimal(number)));
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
            JsonTree.write(g, tree);
        }
        return out.toString();
    }

    /** A new object from alternating names and values. */
    public static Map<String, Object> object(Object... namesAndValues) {
        return JsonTree.map(namesAndValues);
    }

    /** {@code text} parsed when it is one JSON object, else an empty object (a tool call's cut or empty arguments). */
    public static Object objectOrEmpty(String text) {
        try {
            Object parsed = parse(text);
            return parsed instanceof Map ? parsed : object();
        } catch (RuntimeException e) {
            return object();
        }
    }

    /**
     * Appends {@code blocks} to the last turn when it has {@code role}, else adds a turn {@code {role, content}};
     * nothing when {@code blocks} is empty (the reference translations' turn merging).
     */
    @SuppressWarnings("unchecked")
    public static void addTurn(List<Map<String, Object>> turns, String role, List<Object> blocks) {
        if (blocks.isEmpty()) {
            return;
        }
        Map<String, Object> last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (last != null && last.get("role").equals(role)) {
            ((List<Object>) last.get("content")).addAll(blocks);
        } else {
            turns.add(object("role", role, "content", new ArrayList<>(blocks)));
        }
    }

    /** A number as this tree holds it. */
    public static BigDecimal number(long value) {
        return BigDecimal.valueOf(value);
    }

    private static BigDecimal normalize(BigDecimal number) {
        BigDecimal stripped = number.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
