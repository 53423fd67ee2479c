package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.provider.Endpoint;
import org.jspecify.annotations.Nullable;

/**
 * A deployment together with the upstream model name to put in the request body. For ordinary deployments there is
 * one precomputed {@code Target} per deployment; for wildcard deployments one is made per resolution, since the
 * upstream model comes from the request. Thread-safety: immutable.
 */
public final class Target {

    private final Deployment deployment;
    private final String upstreamModel;
    private final byte[] upstreamModelJson;
    private final @Nullable String[] requestPaths;
    private final Lease unlimitedLease = new Lease() {
        @Override
        public Target target() {
            return Target.this;
        }

        @Override
        public void release(int status, @Nullable Usage usage) {
            // Nothing was taken.
        }
    };

    Target(Deployment deployment, String upstreamModel, byte[] upstreamModelJson, @Nullable String[] requestPaths) {
        this.deployment = requireNonNull(deployment, "deployment");
        this.upstreamModel = requireNonNull(upstreamModel, "upstreamModel");
        this.upstreamModelJson = requireNonNull(upstreamModelJson, "upstreamModelJson");
        this.requestPaths = requireNonNull(requestPaths, "requestPaths");
    }

    /** The deployment to call. */
    public Deployment deployment() {
        return deployment;
    }

    /** The model name the provider expects, e.g. {@code gpt-4o} for {@code openai/gpt-4o}. */
    public String upstreamModel() {
        return upstreamModel;
    }

    /**
     * {@link #upstreamModel()} encoded as a JSON string literal in UTF-8, quotes included ({@code "gpt-4o"}), ready to
     * be written into the request body. The array is shared: callers must not modify it.
     */
    public byte[] upstreamModelJson() {
        return upstreamModelJson;
    }

    /**
     * The path and query to request for {@code endpoint}, e.g. {@code /v1/chat/completions} or
     * {@code /openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21}; precomputed by the adapter.
     *
     * @throws IllegalStateException when the provider is not supported yet (it has no adapter)
     */
    public String requestPath(Endpoint endpoint, boolean stream) {
        String path = requestPaths[pathIndex(endpoint, stream)];
        if (path == null) {
            throw new IllegalStateException("provider " + deployment.provider().name() + " is not supported yet");
        }
        return path;
    }

    /** A lease on this target that holds nothing, for deployments admitted without limits (allocates nothing). */
    public Lease unlimitedLease() {
        return unlimitedLease;
    }

    static int pathIndex(Endpoint endpoint, boolean stream) {
        return endpoint.ordinal() * 2 + (stream ? 1 : 0);
    }
}
