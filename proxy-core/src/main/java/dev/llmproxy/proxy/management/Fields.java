package dev.llmproxy.proxy.management;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Typed reads of a management request body, each failing with a 400 that names the field. "Absent" and "null" are
 * told apart where LiteLLM tells them apart ({@code /key/update} changes only the fields present).
 *
 * <p>Thread-safety: not thread-safe; one per request.
 */
final class Fields {
    private final Map<String, @Nullable Object> body;

    Fields(Map<String, @Nullable Object> body) {
        this.body = body;
    }

    boolean has(String name) {
        return body.containsKey(name);
    }

    /** The value as read, for passing a field on to another request. */
    @Nullable Object raw(String name) {
        return body.get(name);
    }

    @Nullable String string(String name) {
        Object value = body.get(name);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        if (value instanceof Long || value instanceof Double || value instanceof Boolean) {
            return value.toString();
        }
        throw invalid(name, "a string");
    }

    @Nullable Double number(String name) {
        Object value = body.get(name);
        if (value == null) {
            return null;
        }
        if (value instanceof Long l) {
            return l.doubleValue();
        }
        if (value instanceof Double d) {
            return d;
        }
        if (value instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw invalid(name, "a number");
            }
        }
        throw invalid(name, "a number");
    }

    @Nullable Long integer(String name) {
        Object value = body.get(name);
        if (value == null) {
            return null;
        }
        if (value instanceof Long l) {
            if (l < 0) {
                throw new BadRequest(name + " cannot be negative. Received: " + l);
            }
            return l;
        }
        if (value instanceof Double d && d == Math.rint(d) && d >= 0 && d < 1e15) {
            return d.longValue();
        }
        throw invalid(name, "a non-negative integer");
    }

    @Nullable Boolean bool(String name) {
        Object value = body.get(name);
        if (value == null || value instanceof Boolean) {
            return (Boolean) value;
        }
        throw invalid(name, "true or false");
    }

    /** A list of strings; a single string reads as a list of one. */
    @Nullable List<String> strings(String name) {
        Object value = body.get(name);
        if (value == null) {
            return null;
        }
        if (value instanceof String s) {
            return List.of(s);
        }
        if (!(value instanceof List<?> list)) {
            throw invalid(name, "a list of strings");
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof String s)) {
                throw invalid(name, "a list of strings");
            }
            out.add(s);
        }
        return out;
    }

    /** A JSON object, as the map read. */
    @Nullable Map<String, @Nullable Object> object(String name) {
        Object value = body.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw invalid(name, "a JSON object");
        }
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    /** A JSON object of non-negative integers ({@code model_rpm_limit}). */
    @Nullable Map<String, Long> longMap(String name) {
        Map<String, @Nullable Object> map = object(name);
        if (map == null) {
            return null;
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<String, @Nullable Object> e : map.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Long l && l >= 0) {
                out.put(e.getKey(), l);
            } else {
                throw invalid(name, "an object of non-negative integers");
            }
        }
        return out;
    }

    private static BadRequest invalid(String name, String expected) {
        return new BadRequest(400, "bad_request_error", name, name + ": expected " + expected);
    }
}
