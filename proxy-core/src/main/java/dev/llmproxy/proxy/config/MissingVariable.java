package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * An {@code os.environ/NAME} reference whose variable is not set.
 *
 * @param name the variable
 * @param location where it is referenced
 * @param keyPath the dotted key that references it, e.g. {@code model_list[3].litellm_params.api_key}
 */
public record MissingVariable(String name, ConfigLocation location, String keyPath) {

    public MissingVariable {
        requireNonNull(name, "name");
        requireNonNull(location, "location");
        requireNonNull(keyPath, "keyPath");
    }

    @Override
    public String toString() {
        return location + ": " + keyPath + ": environment variable " + name + " is not set";
    }
}
