package dev.llmproxy.proxy.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a LiteLLM {@code config.yaml} (YAML 1.1, as PyYAML reads it) into a {@link ProxyConfig}. Thread-safety:
 * stateless; each call reads the file anew.
 */
public final class ConfigLoader {

    private ConfigLoader() {}

    /**
     * Loads {@code file}. {@code environment_variables} is overlaid on {@code processEnv} first; then every scalar of
     * the form {@code os.environ/NAME} is replaced by that variable.
     *
     * @param file the config file; its name as given appears in error messages
     * @param processEnv the process environment ({@code System.getenv()})
     * @throws ConfigException when the file is missing or unreadable, is not valid YAML, references an unset
     *     variable, or holds a value of the wrong type or range
     */
    public static ProxyConfig load(Path file, Map<String, String> processEnv) {
        throw new UnsupportedOperationException("not built yet");
    }
}
