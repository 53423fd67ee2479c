package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.json.JsonStrings;
import dev.llmproxy.proxy.config.DeploymentConfig;
import dev.llmproxy.proxy.provider.BaseUrl;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.provider.ProviderAdapter;
import dev.llmproxy.proxy.provider.ProviderSpec;
import dev.llmproxy.proxy.upstream.Origin;
import io.netty.util.AsciiString;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One {@code model_list} entry made ready to call: provider adapter, base URL, effective timeouts, limits and the
 * values of the response headers that name it, all resolved once at start, so that a request only copies references.
 * Thread-safety: immutable, shared by every event loop.
 */
public final class Deployment {

    /** Connects give up after this long even when the request timeout is longer: a dead host should fail fast. */
    private static final int MAX_CONNECT_TIMEOUT_MILLIS = 10_000;

    private final DeploymentConfig config;
    private final ProviderSpec provider;
    private final @Nullable ProviderAdapter adapter;
    private final @Nullable BaseUrl baseUrl;
    private final String upstreamModel;
    private final boolean wildcard;
    private final long timeoutNanos;
    private final long streamTimeoutNanos;
    private final int connectTimeoutMillis;
    private final DeploymentLimits limits;
    private final double weight;
    private final int order;
    private final AsciiString idHeader;
    private final AsciiString modelGroupHeader;
    private final AsciiString apiBaseHeader;
    private final AsciiString hostHeader;
    private final @Nullable Target target;

    Deployment(DeploymentSettings settings) {
        this.config = settings.config();
        this.provider = settings.provider();
        this.adapter = settings.adapter();
        this.baseUrl = settings.baseUrl();
        this.upstreamModel = settings.upstreamModel();
        this.wildcard = upstreamModel.indexOf('*') >= 0;
        this.timeoutNanos = settings.timeout().toNanos();
        this.streamTimeoutNanos = settings.streamTimeout().toNanos();
        this.connectTimeoutMillis = (int) Math.min(MAX_CONNECT_TIMEOUT_MILLIS, Math.max(1, timeoutNanos / 1_000_000));
        this.limits = settings.limits();
        this.weight = settings.weight();
        this.order = settings.order();
        this.idHeader = AsciiString.of(config.id());
        this.modelGroupHeader = AsciiString.of(config.modelName());
        this.apiBaseHeader = AsciiString.of(baseUrl == null || isMock() ? "" : baseUrl.toString());
        this.hostHeader = AsciiString.of(baseUrl == null ? "" : baseUrl.origin().hostHeader());
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

    /** How requests to this deployment are encoded and answered; {@code null} only for an unsupported provider. */
    public @Nullable ProviderAdapter adapter() {
        return adapter;
    }

    /** Where the provider listens; {@code null} only for an unsupported provider. */
    public @Nullable BaseUrl baseUrl() {
        return baseUrl;
    }

    /** The connection pool key; {@code null} only for an unsupported provider. */
    public @Nullable Origin origin() {
        return baseUrl == null ? null : baseUrl.origin();
    }

    /** The model after the provider prefix, e.g. {@code gpt-4o}; for a wildcard deployment a pattern ({@code *}). */
    public String upstreamModel() {
        return upstreamModel;
    }

    /** Whether {@link #upstreamModel()} is a pattern filled from the requested model. */
    public boolean isWildcard() {
        return wildcard;
    }

    /**
     * Silence allowed from the provider of a non-streamed request before it is abandoned: {@code timeout}, else
     * router_settings, else {@code request_timeout}.
     */
    public long timeoutNanos() {
        return timeoutNanos;
    }

    /**
     * The same for streamed requests: {@code stream_timeout}, else {@code timeout}, else router_settings
     * {@code stream_timeout}, else router_settings {@code timeout}, else {@code request_timeout} (LiteLLM's order).
     */
    public long streamTimeoutNanos() {
        return streamTimeoutNanos;
    }

    /** The TCP (and tunnel) connect timeout: the request timeout, at most 10 s. */
    public int connectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    /** The deployment's quotas. */
    public DeploymentLimits limits() {
        return limits;
    }

    /** {@code weight}, or -1 when absent (the group's simple-shuffle weights are decided in {@link RouteTable}). */
    public double weight() {
        return weight;
    }

    /** {@code order}: lower values are tried first by routers that honour it; 0 when absent. */
    public int order() {
        return order;
    }

    /** The canned answer ({@code mock_response}) to return instead of calling the provider, or {@code null}. */
    public @Nullable String mockResponse() {
        return config.litellmParams().mockResponse();
    }

    /** Whether the deployment answers with {@link #mockResponse()} instead of calling a provider. */
    public boolean isMock() {
        return config.litellmParams().mockResponse() != null;
    }

    /** {@code x-litellm-model-id}. */
    public AsciiString idHeader() {
        return idHeader;
    }

    /** {@code x-litellm-model-group}. */
    public AsciiString modelGroupHeader() {
        return modelGroupHeader;
    }

    /** {@code x-litellm-model-api-base}: the base URL, empty for mock and unsupported deployments. */
    public AsciiString apiBaseHeader() {
        return apiBaseHeader;
    }

    /** The {@code Host} header of upstream requests. */
    public AsciiString hostHeader() {
        return hostHeader;
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
        String[] paths = new String[Endpoint.values().length * 2];
        if (adapter != null) {
            for (Endpoint endpoint : Endpoint.values()) {
                if (endpoint.isFileApi()) {
                    // Files and batches build their own paths (files.FilesApi): no model in them.
                    continue;
                }
                paths[Target.pathIndex(endpoint, false)] = adapter.requestPath(model, endpoint.upstream(), false);
                paths[Target.pathIndex(endpoint, true)] = adapter.requestPath(model, endpoint.upstream(), true);
            }
        }
        return new Target(this, model, JsonStrings.quote(model), paths);
    }

    @Override
    public String toString() {
        return "Deployment[id=" + id() + ", group=" + modelGroup() + ", provider=" + provider.name() + ", model="
                + upstreamModel + ", base=" + (baseUrl == null ? "none" : baseUrl) + ']';
    }

    /** Everything a deployment is made of, resolved by {@link DeploymentFactory}. */
    record DeploymentSettings(
            DeploymentConfig config,
            ProviderSpec provider,
            @Nullable ProviderAdapter adapter,
            @Nullable BaseUrl baseUrl,
            String upstreamModel,
            Duration timeout,
            Duration streamTimeout,
            DeploymentLimits limits,
            double weight,
            int order) {

        DeploymentSettings {
            requireNonNull(config, "config");
            requireNonNull(provider, "provider");
            requireNonNull(upstreamModel, "upstreamModel");
            requireNonNull(timeout, "timeout");
            requireNonNull(streamTimeout, "streamTimeout");
            requireNonNull(limits, "limits");
            if ((adapter == null) != (baseUrl == null)) {
                throw new IllegalArgumentException("adapter and baseUrl: both set or both null");
            }
        }
    }
}
