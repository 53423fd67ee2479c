package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.config.DeploymentConfig;
import dev.llmproxy.proxy.config.SslVerify;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One {@code model_list} entry made ready to call: provider, origin, auth header, effective timeouts and TLS
 * settings, resolved once at start. Thread-safety: immutable, shared by every event loop.
 */
public final class Deployment {

    private final DeploymentConfig config;
    private final ProviderSpec provider;
    private final String upstreamModel;
    private final boolean wildcard;
    private final @Nullable UpstreamOrigin origin;
    private final @Nullable String apiVersion;
    private final @Nullable String authHeaderName;
    private final @Nullable String authHeaderValue;
    private final Duration timeout;
    private final Duration streamTimeout;
    private final SslVerify sslVerify;
    private final @Nullable Target target;

    Deployment(DeploymentSettings settings) {
        this.config = settings.config();
        this.provider = settings.provider();
        this.upstreamModel = settings.upstreamModel();
        this.wildcard = upstreamModel.indexOf('*') >= 0;
        this.origin = settings.origin();
        this.apiVersion = settings.apiVersion();
        this.authHeaderName = settings.authHeaderName();
        this.authHeaderValue = settings.authHeaderValue();
        this.timeout = settings.timeout();
        this.streamTimeout = settings.streamTimeout();
        this.sslVerify = settings.sslVerify();
        this.target = wildcard ? null : newTarget(upstreamModel);
    }

    /** {@code model_info.id}, else a stable hash of the entry (see {@link DeploymentConfig#id()}). */
    public String id() {
        return config.id();
    }

    /** The model group ({@code model_name}) this deployment belongs to; may be a wildcard pattern. */
    public String modelGroup() {
        return config.modelName();
    }

    /** The entry as configured. */
    public DeploymentConfig config() {
        return config;
    }

    /** The provider; when {@link ProviderSpec#supported()} is false, requests must be refused with a 400. */
    public ProviderSpec provider() {
        return provider;
    }

    /** The model after the provider prefix, e.g. {@code gpt-4o}; for a wildcard deployment a pattern ({@code *}). */
    public String upstreamModel() {
        return upstreamModel;
    }

    /** Whether {@link #upstreamModel()} is a pattern filled from the requested model. */
    public boolean isWildcard() {
        return wildcard;
    }

    /** Where to connect; {@code null} only for a provider that is not supported yet. */
    public @Nullable UpstreamOrigin origin() {
        return origin;
    }

    /** The API version sent as {@code api-version} (Azure), or {@code null}. */
    public @Nullable String apiVersion() {
        return apiVersion;
    }

    /**
     * The header carrying the provider key, lower case ({@code authorization}, {@code api-key}), or {@code null} when
     * no key is configured (local servers need none; a provider that needs one answers 401, as with LiteLLM).
     */
    public @Nullable String authHeaderName() {
        return authHeaderName;
    }

    /** The value of {@link #authHeaderName()} ({@code Bearer sk-...}); a secret: never log it. */
    public @Nullable String authHeaderValue() {
        return authHeaderValue;
    }

    /** Timeout of a non-streamed request: {@code timeout}, else router_settings, else {@code request_timeout}. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Timeout of a streamed request: {@code stream_timeout}, else {@code timeout}, else router_settings
     * {@code stream_timeout}, else router_settings {@code timeout}, else {@code request_timeout} (LiteLLM's order).
     */
    public Duration streamTimeout() {
        return streamTimeout;
    }

    /** Upstream TLS verification: the deployment's {@code ssl_verify}, else litellm_settings', else verify. */
    public SslVerify sslVerify() {
        return sslVerify;
    }

    /** The canned answer ({@code mock_response}) to return instead of calling the provider, or {@code null}. */
    public @Nullable String mockResponse() {
        return config.litellmParams().mockResponse();
    }

    /**
     * The precomputed target of a non-wildcard deployment.
     *
     * @throws IllegalStateException for a wildcard deployment, whose upstream model comes from the request
     */
    public Target target() {
        if (target == null) {
            throw new IllegalStateException("wildcard deployment " + id() + " has no fixed target");
        }
        return target;
    }

    /** A target calling {@code model} on this deployment (wildcard resolution; allocates). */
    Target newTarget(String model) {
        String[] paths = new String[Endpoint.values().length];
        if (origin != null) {
            for (Endpoint endpoint : Endpoint.values()) {
                paths[endpoint.ordinal()] = RequestPaths.build(provider, origin, model, apiVersion, endpoint);
            }
        }
        return new Target(this, model, JsonStrings.encode(model), paths);
    }

    @Override
    public String toString() {
        return "Deployment[id=" + id() + ", group=" + modelGroup() + ", provider=" + provider.name() + ", model="
                + upstreamModel + ", base=" + (origin == null ? "none" : origin.baseUrl()) + ']';
    }

    /** Everything a deployment is made of, resolved by {@link RouteTable}. */
    record DeploymentSettings(
            DeploymentConfig config,
            ProviderSpec provider,
            String upstreamModel,
            @Nullable UpstreamOrigin origin,
            @Nullable String apiVersion,
            @Nullable String authHeaderName,
            @Nullable String authHeaderValue,
            Duration timeout,
            Duration streamTimeout,
            SslVerify sslVerify) {

        DeploymentSettings {
            requireNonNull(config, "config");
            requireNonNull(provider, "provider");
            requireNonNull(upstreamModel, "upstreamModel");
            requireNonNull(timeout, "timeout");
            requireNonNull(streamTimeout, "streamTimeout");
            requireNonNull(sslVerify, "sslVerify");
        }
    }
}
