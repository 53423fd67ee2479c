package dev.llmproxy.proxy.passthrough;

import dev.llmproxy.proxy.config.PassThroughEndpoint;
import dev.llmproxy.proxy.provider.ProviderAdapter;
import dev.llmproxy.proxy.provider.UpstreamAuth;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.upstream.Origin;
import dev.llmproxy.proxy.upstream.TlsPolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The pass-through routes of a server: the configured {@code pass_through_endpoints} and LiteLLM's provider prefixes.
 * A provider prefix ({@code /openai/...}) forwards its sub-path to the origin of the first deployment of that
 * provider in {@code model_list}, with that deployment's credentials; a prefix without such a deployment is not a
 * route. Bedrock's prefix is not served: SigV4 signs the payload's hash, which a body streamed as it arrives does not
 * have when the head is sent.
 *
 * <p>The matching methods allocate nothing, as every request head is asked about.
 *
 * <p>Thread-safety: immutable.
 */
public final class PassThroughRoutes {
    /** No routes: a server without a config (tests). */
    public static final PassThroughRoutes NONE = new PassThroughRoutes(List.of(), Map.of());
    /** LiteLLM's provider prefixes, each served by the deployments of the provider of the same name. */
    static final List<String> PROVIDER_PREFIXES =
            List.of("openai", "anthropic", "gemini", "vertex_ai", "cohere", "azure", "mistral");
    /** Headers that carry a caller's credential: the proxy key on the way in, a provider key on the way out. */
    static final Set<String> CREDENTIAL_HEADERS =
            Set.of("authorization", "x-api-key", "api-key", "x-goog-api-key", "proxy-authorization");
    /** LiteLLM's default for a configured route, which has no deployment timeout: 10 minutes. */
    private static final long DEFAULT_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 10_000;

    /** Longest path first, so that a nested route wins over the one it is nested in. */
    private final List<Configured> configured;
    private final Map<String, Deployment> providers;

    private PassThroughRoutes(List<Configured> configured, Map<String, Deployment> providers) {
        this.configured = configured;
        this.providers = providers;
    }

    /**
     * The routes of {@code endpoints} and of the providers that have a deployment in {@code routes}.
     *
     * @throws IllegalArgumentException when a target is not a URL
     */
    public static PassThroughRoutes of(List<PassThroughEndpoint> endpoints, RouteTable routes) {
        List<Configured> configured = new ArrayList<>();
        for (PassThroughEndpoint endpoint : endpoints) {
            configured.add(Configured.of(endpoint));
        }
        configured.sort(Comparator.comparingInt((Configured c) -> c.path.length()).reversed());
        Map<String, Deployment> providers = new LinkedHashMap<>();
        for (Deployment deployment : routes.deployments()) {
            String name = deployment.provider().name();
            ProviderAdapter adapter = deployment.adapter();
            if (PROVIDER_PREFIXES.contains(name) && adapter != null && deployment.origin() != null
                    && !deployment.isMock()) {
                providers.putIfAbsent(name, deployment);
            }
        }
        return new PassThroughRoutes(List.copyOf(configured), Map.copyOf(providers));
    }

    /** Whether the path of {@code uri} (origin form) is a configured route: these win over the built-in routes. */
    public boolean isConfigured(String uri) {
        return configuredMatch(uri) != null;
    }

    /** Whether the path of {@code uri} (origin form) starts with a provider prefix that has a deployment. */
    public boolean isProviderRoute(String uri) {
        return providerMatch(uri) != null;
    }

    /**
     * Where {@code uri} (origin form) goes: a configured route first, then a provider prefix.
     *
     * @return the target, or null when {@code uri} is no pass-through route
     */
    public @Nullable PassThroughTarget resolve(String uri) {
        int queryAt = uri.indexOf('?');
        String query = queryAt < 0 ? "" : uri.substring(queryAt + 1);
        Configured route = configuredMatch(uri);
        if (route != null) {
            int pathEnd = queryAt < 0 ? uri.length() : queryAt;
            String subpath = uri.substring(route.path.length(), pathEnd);
            return new PassThroughTarget(route.origin, withQuery(route.basePath + subpath, route.query, query),
                    route.headers, route.forwardHeaders, hasCredential(route.headers), route.auth, null,
                    UpstreamAuth.NONE, DEFAULT_TIMEOUT_NANOS,
                    DEFAULT_CONNECT_TIMEOUT_MILLIS);
        }
        String prefix = providerMatch(uri);
        Deployment deployment = prefix == null ? null : providers.get(prefix);
        ProviderAdapter adapter = deployment == null ? null : deployment.adapter();
        Origin origin = deployment == null ? null : deployment.origin();
        if (prefix == null || deployment == null || adapter == null || origin == null) {
            return null;
        }
        // The sub-path is the provider's own path from its root (/v1/messages), as with LiteLLM's provider routes.
        return new PassThroughTarget(origin, uri.substring(prefix.length() + 1), Map.of(), true, true, true,
                deployment, adapter.auth(), deployment.timeoutNanos(), deployment.connectTimeoutMillis());
    }

    private @Nullable Configured configuredMatch(String uri) {
        for (Configured route : configured) {
            if (route.matches(uri)) {
                return route;
            }
        }
        return null;
    }

    private @Nullable String providerMatch(String uri) {
        if (providers.isEmpty()) {
            return null;
        }
        for (String prefix : PROVIDER_PREFIXES) {
            int end = prefix.length() + 1;
            if (uri.length() > end && uri.charAt(0) == '/' && uri.startsWith(prefix, 1) && uri.charAt(end) == '/'
                    && providers.containsKey(prefix)) {
                return prefix;
            }
        }
        return null;
    }

    private static boolean hasCredential(Map<String, String> headers) {
        for (String name : headers.keySet()) {
            if (CREDENTIAL_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static String withQuery(String path, String targetQuery, String clientQuery) {
        String base = path.isEmpty() ? "/" : path;
        if (targetQuery.isEmpty() && clientQuery.isEmpty()) {
            return base;
        }
        if (targetQuery.isEmpty() || clientQuery.isEmpty()) {
            return base + '?' + targetQuery + clientQuery;
        }
        return base + '?' + targetQuery + '&' + clientQuery;
    }

    /** A configured route, its target parsed once. */
    private record Configured(String path, boolean includeSubpath, Origin origin, String basePath, String query,
            Map<String, String> headers, boolean forwardHeaders, boolean auth) {

        static Configured of(PassThroughEndpoint endpoint) {
            URI target;
            try {
                target = new URI(endpoint.target());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("pass_through_endpoints target: " + endpoint.target()
                        + " (expected: a URL)", e);
            }
            String scheme = String.valueOf(target.getScheme()).toLowerCase(Locale.ROOT);
            String host = target.getHost();
            if (host == null || !scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("pass_through_endpoints target: " + endpoint.target()
                        + " (expected: an http:// or https:// URL)");
            }
            boolean secure = scheme.equals("https");
            int port = target.getPort() > 0 ? target.getPort() : secure ? 443 : 80;
            String basePath = target.getRawPath() == null ? "" : target.getRawPath();
            if (basePath.endsWith("/")) {
                basePath = basePath.substring(0, basePath.length() - 1);
            }
            String path = endpoint.path().length() > 1 && endpoint.path().endsWith("/")
                    ? endpoint.path().substring(0, endpoint.path().length() - 1) : endpoint.path();
            String query = target.getRawQuery() == null ? "" : target.getRawQuery();
            return new Configured(path, endpoint.includeSubpath(), new Origin(secure, host, port, TlsPolicy.VERIFY),
                    basePath, query, endpoint.headers(), endpoint.forwardHeaders(), endpoint.auth());
        }

        /** Whether {@code uri} is this route's path, or (with {@code include_subpath}) below it. */
        boolean matches(String uri) {
            if (!uri.startsWith(path)) {
                return false;
            }
            if (uri.length() == path.length()) {
                return true;
            }
            char next = uri.charAt(path.length());
            return next == '?' || includeSubpath && next == '/';
        }
    }
}
