package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads composed YAML nodes as typed config values, resolving {@code os.environ/NAME} in every scalar and turning
 * every problem into a {@link ConfigException} that names the file, the line and the dotted key path.
 *
 * <p>Messages quote a wrong value only when it was written in the file; a value that came from an environment variable
 * is named by its variable instead, since it may be a secret.
 */
final class Nodes {

    private static final String ENV_PREFIX = "os.environ/";
    private static final int MAX_DEPTH = 64;
    /** Durations beyond this many seconds would overflow {@link Duration#toNanos()}. */
    private static final double MAX_SECONDS = 9.0e9;

    private final String file;
    private final Map<String, String> env;
    /** Where unset variables are collected instead of failing ({@code --check}), or null to fail on the first. */
    private final @Nullable List<MissingVariable> missing;
    private final YamlValues values = new YamlValues();

    Nodes(String file, Map<String, String> env) {
        this(file, env, null);
    }

    /**
     * @param missing when not null, an unset {@code os.environ/NAME} is added to it and reads as an absent value
     *     instead of failing the load
     */
    Nodes(String file, Map<String, String> env, @Nullable List<MissingVariable> missing) {
        this.file = requireNonNull(file, "file");
        this.env = requireNonNull(env, "env");
        this.missing = missing;
    }

    ConfigLocation at(Node node) {
        return new ConfigLocation(file, node.getStartMark().getLine() + 1);
    }

    ConfigException error(Node node, String path, String problem) {
        return new ConfigException(at(node), path, problem);
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + '.' + key;
    }

    /**
     * The entries of a mapping in file order, {@code <<} merge keys applied as PyYAML does (explicit keys win). A null
     * value reads as an empty mapping.
     *
     * @throws ConfigException for a duplicate key, a non-scalar key or a node that is not a mapping
     */
    Map<String, Entry> mapping(Node node, String path) {
        if (isNull(node)) {
            return Map.of();
        }
        if (!(node instanceof MappingNode mapping)) {
            throw error(node, path, "expected a mapping (key: value lines), got " + kind(node));
        }
        Map<String, Entry> explicit = new LinkedHashMap<>();
        List<Map<String, Entry>> merged = new ArrayList<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (keyNode.getTag().equals(Tag.MERGE)) {
                merged.addAll(mergeSources(tuple.getValueNode(), path));
                continue;
            }
            if (!(keyNode instanceof ScalarNode scalarKey)) {
                throw error(keyNode, path, "expected a plain key, got " + kind(keyNode));
            }
            String key = scalarKey.getValue();
            Entry previous = explicit.get(key);
            if (previous != null) {
                throw error(keyNode, child(path, key),
                        "duplicate key (first defined on line " + at(previous.keyNode()).line() + ')');
            }
            explicit.put(key, new Entry(key, keyNode, tuple.getValueNode(), child(path, key)));
        }
        if (merged.isEmpty()) {
            return Collections.unmodifiableMap(explicit);
        }
        Map<String, Entry> result = new LinkedHashMap<>();
        for (Map<String, Entry> source : merged) {
            for (Map.Entry<String, Entry> e : source.entrySet()) {
                Entry inherited = e.getValue();
                result.putIfAbsent(e.getKey(),
                        new Entry(inherited.key(), inherited.keyNode(), inherited.value(), child(path, e.getKey())));
            }
        }
        result.putAll(explicit);
        return Collections.unmodifiableMap(result);
    }

    private List<Map<String, Entry>> mergeSources(Node value, String path) {
        if (value instanceof SequenceNode sequence) {
            List<Map<String, Entry>> sources = new ArrayList<>();
            for (Node item : sequence.getValue()) {
                sources.add(mapping(item, path));
            }
            return sources;
        }
        return List.of(mapping(value, path));
    }

    /** The items of a sequence; a null value reads as empty. */
    List<Node> sequence(Node node, String path) {
        if (isNull(node)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            throw error(node, path, "expected a list (lines starting with '- '), got " + kind(node));
        }
        return sequence.getValue();
    }

    /** The scalar's value with {@code os.environ/NAME} resolved. */
    Scalar scalar(Node node, String path) {
        if (!(node instanceof ScalarNode scalarNode)) {
            throw error(node, path, "expected a single value, got " + kind(node));
        }
        Object value;
        try {
            value = values.construct(scalarNode);
        } catch (YAMLException e) {
            throw error(node, path, "cannot read the value with tag " + scalarNode.getTag().getValue()
                    + " (expected a plain YAML value)");
        }
        if (value instanceof String text && text.startsWith(ENV_PREFIX)) {
            String name = text.substring(ENV_PREFIX.length());
            String resolved = env.get(name);
            if (resolved == null) {
                if (missing == null) {
                    throw error(node, path, "environment variable " + name + " is not set (referenced by " + path
                            + ')');
                }
                missing.add(new MissingVariable(name, at(node), path));
                return new Scalar(node, null, "", name);
            }
            return new Scalar(node, resolved, resolved, name);
        }
        if (value instanceof String || value == null || value instanceof Boolean || value instanceof Number) {
            return new Scalar(node, value, scalarNode.getValue(), null);
        }
        // Timestamps and binary: PyYAML makes date/bytes objects; LiteLLM only ever uses them as text.
        return new Scalar(node, scalarNode.getValue(), scalarNode.getValue(), null);
    }

    /** A string value (any scalar, as written), or null when absent or null. */
    @Nullable String string(@Nullable Entry entry) {
        if (entry == null) {
            return null;
        }
        Scalar scalar = scalar(entry.value(), entry.path());
        return scalar.value() == null ? null : scalar.text();
    }

    /** A non-empty string; the key must be present. */
    String requiredString(Map<String, Entry> mapping, Node mappingNode, String mappingPath, String key,
            String expected) {
        Entry entry = mapping.get(key);
        if (entry == null) {
            throw error(mappingNode, child(mappingPath, key), "required key is missing (expected " + expected + ')');
        }
        String value = string(entry);
        if (value == null || value.isBlank()) {
            throw error(entry.value(), entry.path(), "expected " + expected + ", got nothing");
        }
        return value;
    }

    /** A positive number of seconds (int or float), or null when absent. */
    @Nullable Duration seconds(@Nullable Entry entry) {
        if (entry == null) {
            return null;
        }
        Scalar scalar = scalar(entry.value(), entry.path());
        if (scalar.value() == null) {
            return null;
        }
        Double seconds = number(scalar);
        if (seconds == null || !(seconds > 0) || seconds > MAX_SECONDS) {
            throw error(entry.value(), entry.path(), "expected a number of seconds > 0, got " + scalar.describe());
        }
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    /** A number >= 0 (int or float), or null when absent. */
    @Nullable Double nonNegativeNumber(@Nullable Entry entry) {
        if (entry == null) {
            return null;
        }
        Scalar scalar = scalar(entry.value(), entry.path());
        if (scalar.value() == null) {
            return null;
        }
        Double number = number(scalar);
        if (number == null || !(number >= 0) || number.isInfinite()) {
            throw error(entry.value(), entry.path(), "expected a number >= 0, got " + scalar.describe());
        }
        return number;
    }

    /** A whole number >= 0, or null when absent. */
    @Nullable Long count(@Nullable Entry entry) {
        if (entry == null) {
            return null;
        }
        Scalar scalar = scalar(entry.value(), entry.path());
        if (scalar.value() == null) {
            return null;
        }
        Long count = wholeNumber(scalar);
        if (count == null || count < 0) {
            throw error(entry.value(), entry.path(), "expected a whole number >= 0, got " + scalar.describe());
        }
        return count;
    }

    /** A boolean, or null when absent; accepts the YAML 1.1 forms and, from the environment, Python's True/False. */
    @Nullable Boolean bool(@Nullable Entry entry) {
        if (entry == null) {
            return null;
        }
        Scalar scalar = scalar(entry.value(), entry.path());
        if (scalar.value() == null) {
            return null;
        }
        Boolean bool = booleanOf(scalar);
        if (bool == null) {
            throw error(entry.value(), entry.path(), "expected true or false, got " + scalar.describe());
        }
        return bool;
    }

    static @Nullable Boolean booleanOf(Scalar scalar) {
        if (scalar.value() instanceof Boolean b) {
            return b;
        }
        if (scalar.value() instanceof String s) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> {
                    return Boolean.TRUE;
                }
                case "false", "no", "off" -> {
                    return Boolean.FALSE;
                }
                default -> {
                    return null;
                }
            }
        }
        return null;
    }

    private static @Nullable Double number(Scalar scalar) {
        Object value = scalar.value();
        if (value instanceof Boolean) {
            return null;
        }
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof String s) {
            try {
                return Double.valueOf(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static @Nullable Long wholeNumber(Scalar scalar) {
        Object value = scalar.value();
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big) {
            return big.bitLength() < 64 ? big.longValue() : null;
        }
        if (value instanceof Double d) {
            return d == Math.rint(d) && Math.abs(d) < 9.0e18 ? d.longValue() : null;
        }
        if (value instanceof String s) {
            try {
                return new BigDecimal(s.trim()).longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * The node as plain Java values (Map, List, String, Boolean, Long/Integer/BigInteger, Double, null), with every
     * {@code os.environ/NAME} resolved; used for keys kept but not modelled.
     */
    @Nullable Object toJava(Node node, String path) {
        return toJava(node, path, 0);
    }

    private @Nullable Object toJava(Node node, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw error(node, path, "nested more than " + MAX_DEPTH + " levels deep (a recursive alias?)");
        }
        if (node instanceof MappingNode) {
            Map<String, @Nullable Object> map = new LinkedHashMap<>();
            for (Entry entry : mapping(node, path).values()) {
                map.put(entry.key(), toJava(entry.value(), entry.path(), depth + 1));
            }
            return Collections.unmodifiableMap(map);
        }
        if (node instanceof SequenceNode) {
            List<@Nullable Object> list = new ArrayList<>();
            List<Node> items = sequence(node, path);
            for (int i = 0; i < items.size(); i++) {
                list.add(toJava(items.get(i), path + '[' + i + ']', depth + 1));
            }
            return Collections.unmodifiableList(list);
        }
        return scalar(node, path).value();
    }

    /** Whether the node is absent in effect: an empty value or {@code null}/{@code ~}. */
    static boolean isNull(@Nullable Node node) {
        return node == null || (node instanceof ScalarNode && node.getTag().equals(Tag.NULL));
    }

    private static String kind(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return "'" + abbreviate(((ScalarNode) node).getValue()) + "'";
    }

    static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    /** One key of a mapping with its value node and dotted path. */
    record Entry(String key, Node keyNode, Node value, String path) {}

    /**
     * A resolved scalar.
     *
     * @param value the constructed value (String, Boolean, Number, or null)
     * @param text the value as text (as written, or the environment value)
     * @param envName the environment variable it came from, or null when written in the file
     */
    record Scalar(Node node, @Nullable Object value, String text, @Nullable String envName) {

        /** How the value is shown in a message: quoted when written in the file, by name when from the environment. */
        String describe() {
            return envName != null ? "the value of environment variable " + envName : "'" + abbreviate(text) + "'";
        }
    }
}
