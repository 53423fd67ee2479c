package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What {@link ConfigLoader#check} found: the config as it loads with every unset variable read as absent, or the
 * problem that stopped it, and the unset variables.
 *
 * @param config the loaded config, or {@code null} when {@code error} stopped the load
 * @param missing every unset {@code os.environ/NAME} reference met before the load ended, in file order
 * @param error the first problem other than an unset variable, or {@code null}
 */
public record ConfigCheck(
        @Nullable ProxyConfig config, List<MissingVariable> missing, @Nullable ConfigException error) {

    public ConfigCheck {
        missing = List.copyOf(requireNonNull(missing, "missing"));
        if ((config == null) == (error == null)) {
            throw new IllegalArgumentException("exactly one of config and error must be set");
        }
    }
}
