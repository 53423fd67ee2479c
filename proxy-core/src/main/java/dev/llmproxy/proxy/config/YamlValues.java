package dev.llmproxy.proxy.config;

import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Turns a composed scalar into the Java value PyYAML's {@code safe_load} would give (YAML 1.1 resolution: yes/no/on/off
 * booleans, 0x/0o/sexagesimal integers, .inf floats), by reusing SnakeYAML's safe constructors.
 */
final class YamlValues extends SafeConstructor {

    YamlValues() {
        super(new LoaderOptions());
    }

    /** The constructed value: String, Boolean, Integer, Long, BigInteger, Double, byte[], Date, or null. */
    @Nullable Object construct(ScalarNode node) {
        return constructObject(node);
    }
}
