package dev.llmproxy.proxy.route;

import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.ProxyConfig;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Maps a requested model name to the deployments that serve it. Thread-safety: immutable after {@link #build}.
 */
public final class RouteTable {

    /**
     * Builds the table from a loaded config.
     *
     * @throws ConfigException when a deployment names an unknown provider, or a provider without a default base URL
     *     has no {@code api_base}
     */
    public static RouteTable build(ProxyConfig config) {
        throw new UnsupportedOperationException("not built yet");
    }

    /**
     * The route for {@code requestedModel}: an exact {@code model_name}, else a {@code model_group_alias}, else a
     * wildcard entry; {@code null} when nothing matches. Exact names and aliases do not allocate.
     */
    public @Nullable ModelRoute resolve(String requestedModel) {
        throw new UnsupportedOperationException("not built yet");
    }

    /** The names listed by {@code GET /v1/models}: model names and non-hidden aliases, no wildcard entries. */
    public List<String> publicModels() {
        throw new UnsupportedOperationException("not built yet");
    }

    /** The deployment with this id, or {@code null}. */
    public @Nullable Deployment deploymentFor(String modelId) {
        throw new UnsupportedOperationException("not built yet");
    }

    /** Every deployment in config order. */
    public List<Deployment> deployments() {
        throw new UnsupportedOperationException("not built yet");
    }
}
