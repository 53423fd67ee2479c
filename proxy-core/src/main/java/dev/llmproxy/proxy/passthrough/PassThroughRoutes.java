package dev.llmproxy.proxy.passthrough;

import dev.llmproxy.proxy.config.PassThroughEndpoint;
import dev.llmproxy.proxy.provider.BedrockAuth;
import dev.llmproxy.proxy.provider.ProviderAdapter;
import dev.llmproxy.proxy.provider.ProviderSpec;
import dev.llmproxy.proxy.provider.Providers;
import dev.llmproxy.proxy.provider.UpstreamAuth;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.ModelRoute;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.route.Target;
import dev.llmproxy.proxy.upstream.Origin;
import dev.llmproxy.proxy.upstream.TlsPolicy;
import io.netty.util.AsciiString;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
 * provider in {@code model_list}, with that deployment's credentials; without such a deployment, the providers
 * LiteLLM serves from the environment ({@link #ENVIRONMENT_PROVIDERS}) go to their {@code *_API_BASE} (else their
 * default origin) with their {@code *_API_KEY}; a prefix with neither is not a route. Bedrock's SigV4 signs the
 * payload's hash, so its requests are held whole before they leave ({@link PassThroughTarget#signsBody}). A
 * {@code /bedrock/model/<name>/...} path whose name is a model group of Bedrock deployments is LiteLLM's router
 * model: {@link #bedrockGroup} finds the group, and the request goes to the deployment the router picks
 * ({@link #forDeployment}).
 *
 * <p>The matching methods allocate nothing, as every request head is asked about.
 *
 * <p>Thread-safety: immutable.
 */
public final class PassThroughRoutes {
    /** No routes: a server without a config (tests). */
    public static final PassThroughRoutes NONE = new PassThroughRoutes(List.of(), Map.of(), null);
    /** LiteLLM's provider prefixes, each served by the deployments of the provider of the same name. */
    static final List<String> PROVIDER_PREFIXES =
            List.of("openai", "anthropic", "gemini", "vertex_ai", "cohere", "azure", "mistral", "bedrock");
    /** The prefixes LiteLLM also serves with only the provider's key in the environment and no deployment. */
    static final List<String> ENVIRONMENT_PROVIDERS = List.of("openai", "anthropic", "gemini", "cohere", "mistral");
    /** Headers that carry a caller's credential: the proxy key on the way in, a provider key on the way out. */
    static final Set<String> CREDENTIAL_HEADERS =
            Set.of("authorization", "x-api-key", "api-key", "x-goog-api-key", "proxy-authorization");
    /** LiteLLM's default for a configured route, which has no deployment timeout: 10 minutes. */
    private static final long DEFAULT_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 10_000;
    /** Bedrock's runtime path of a model's action: {@code /bedrock/model/<model id>/<action>}. */
    private static final String BEDROCK_MODEL = "/bedrock/model/";

    /** Longest path first, so that a nested route wins over the one it is nested in. */
    private final List<Configured> configured;
    private final Map<String, Provider> providers;
    /** The model groups, for LiteLLM's router models on {@code /bedrock/model/...}; null without a config. */
    private final @Nullable RouteTable routes;

    private PassThroughRoutes(List<Configured> configured, Map<String, Provider> providers,
            @Nullable RouteTable routes) {
        this.configured = configured;
        this.providers = providers;
        this.routes = routes;
    }

    /**
     * The routes of {@code endpoints} and of the providers that have a deployment in {@code routes}.
     *
     * @throws IllegalArgumentException when a target is not a URL
     */
    public static PassThroughRoutes of(List<PassThroughEndpoint> endpoints, RouteTable routes) {
        return of(endpoints, routes, Map.of());
    }

    /**
     * The routes of {@code endpoints}, of the providers that have a deployment in {@code routes}, and of those that
     * have only a key in {@code environment}.
     *
     * @param environment the process environment, where the providers' {@code *_API_KEY} and {@code *_API_BASE} are
     * @throws IllegalArgumentException when a target, or a provider's base URL, is not a URL
     */
    public static PassThroughRoutes of(List<PassThroughEndpoint> endpoints, RouteTable routes,
            Map<String, String> environment) {
        List<Configured> configured = new ArrayList<>();
        for (PassThroughEndpoint endpoint : endpoints) {
            configured.add(Configured.of(endpoint));
        }
        configured.sort(Comparator.comparingInt((Configured c) -> c.path.length()).reversed());
        Map<String, Provider> providers = new LinkedHashMap<>();
        for (Deployment deployment : routes.deployments()) {
            String name = deployment.provider().name();
            ProviderAdapter adapter = deployment.adapter();
            Origin origin = deployment.origin();
            if (PROVIDER_PREFIXES.contains(name) && adapter != null && origin != null && !deployment.isMock()
                    && !providers.containsKey(name)) {
                UpstreamAuth auth = adapter.auth();
                providers.put(name, new Provider(origin, auth, deployment, auth instanceof BedrockAuth,
                        deployment.timeoutNanos(), deployment.connectTimeoutMillis()));
            }
        }
        for (String name : ENVIRONMENT_PROVIDERS) {
            if (!providers.containsKey(name)) {
                Provider provider = fromEnvironment(name, environment);
                if (provider != null) {
                    providers.put(name, provider);
                }
            }
        }
        return new PassThroughRoutes(List.copyOf(configured), Map.copyOf(providers), routes);
    }

    /** The provider's route with its environment key and base, as LiteLLM serves it; null without a key. */
    private static @Nullable Provider fromEnvironment(String name, Map<String, String> environment) {
        ProviderSpec spec = Providers.byName(name);
        String key = spec == null ? null : first(environment, spec.apiKeyEnv());
        if (spec == null || key == null) {
            return null;
        }
        String base = first(environment, spec.apiBaseEnv());
        String url = base != null ? base : spec.defaultApiBase();
        if (url == null) {
            return null;
        }
        URI parsed;
        try {
            parsed = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(spec.apiBaseEnv() + ": " + url + " (expected: a URL)", e);
        }
        Origin origin = originOf(parsed);
        if (origin == null) {
            throw new IllegalArgumentException(spec.apiBaseEnv() + ": " + url
                    + " (expected: an http:// or https:// URL)");
        }
        UpstreamAuth auth = UpstreamAuth.header(AsciiString.of(spec.authHeaderName()),
                AsciiString.of(spec.authValuePrefix() + key));
        return new Provider(origin, auth, null, false, DEFAULT_TIMEOUT_NANOS, DEFAULT_CONNECT_TIMEOUT_MILLIS);
    }

    private static @Nullable String first(Map<String, String> environment, List<String> names) {
        for (String name : names) {
            String value = environment.get(name);
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        return null;
    }

    /** The origin of an {@code http(s)} URL, or null for another. */
    private static @Nullable Origin originOf(URI url) {
        String scheme = String.valueOf(url.getScheme()).toLowerCase(Locale.ROOT);
        String host = url.getHost();
        if (host == null || !scheme.equals("http") && !scheme.equals("https")) {
            return null;
        }
        boolean secure = scheme.equals("https");
        return new Origin(secure, host, url.getPort() > 0 ? url.getPort() : secure ? 443 : 80, TlsPolicy.VERIFY);
    }

    /** Whether the path of {@code uri} (origin form) is a configured route: these win over the built-in routes. */
    public boolean isConfigured(String uri) {
        return configuredMatch(uri) != null;
    }

    /** Whether the path of {@code uri} (origin form) starts with a provider prefix that has a target. */
    public boolean isProviderRoute(String uri) {
        return providerMatch(uri) != null;
    }

    /**
     * Whether a request to {@code uri} (origin form) needs the master key or a virtual key: a configured route's
     * {@code auth}, always for a provider prefix, never for a path that is no pass-through route.
     */
    public boolean requiresKey(String uri) {
        Configured route = configuredMatch(uri);
        if (route != null) {
            return route.auth;
        }
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
                    route.headers, route.forwardHeaders, hasCredential(route.headers), route.auth, null, null,
                    UpstreamAuth.NONE, false, DEFAULT_TIMEOUT_NANOS, DEFAULT_CONNECT_TIMEOUT_MILLIS);
        }
        String prefix = providerMatch(uri);
        Provider provider = prefix == null ? null : providers.get(prefix);
        if (prefix == null || provider == null) {
            return null;
        }
        // The sub-path is the provider's own path from its root (/v1/messages), as with LiteLLM's provider routes.
        return new PassThroughTarget(provider.origin, uri.substring(prefix.length() + 1), Map.of(), true, true, true,
                provider.deployment, prefix, provider.auth, provider.signsBody, provider.timeoutNanos,
                provider.connectTimeoutMillis);
    }

    /**
     * The model group a {@code /bedrock/model/<name>/<action>} request names, when {@code <name>} (URL-decoded) is a
     * configured model group whose deployments are all Bedrock's: LiteLLM's router models, whose call is load-balanced
     * over the group's deployments (see {@link #forDeployment}). Null for a raw Bedrock model id, which keeps going to
     * the first Bedrock deployment. Allocates, so is asked only once a request is known to be Bedrock's.
     *
     * @param uri the request target, origin form
     */
    public @Nullable ModelRoute bedrockGroup(String uri) {
        RouteTable table = routes;
        int actionAt = bedrockActionAt(uri);
        if (table == null || actionAt < 0) {
            return null;
        }
        String name;
        try {
            name = URLDecoder.decode(uri.substring(BEDROCK_MODEL.length(), actionAt), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        ModelRoute group = table.resolve(name);
        // A wildcard group would take every raw id too: only a group named as such is a router model.
        if (group == null || group.modelGroup().indexOf('*') >= 0) {
            return null;
        }
        for (Target target : group.targets()) {
            Deployment deployment = target.deployment();
            ProviderAdapter adapter = deployment.adapter();
            if (!deployment.provider().name().equals("bedrock") || adapter == null || deployment.origin() == null
                    || deployment.isMock() || !(adapter.auth() instanceof BedrockAuth)) {
                return null;
            }
        }
        return group;
    }

    /**
     * {@code target}, a {@code /bedrock/model/<group>/<action>} request's, sent to {@code deployment} instead: its
     * runtime endpoint, its credentials, and its model id in the path in place of the group's name (encoded as boto3
     * encodes it), the action and the query kept.
     *
     * @param deployment a Bedrock deployment of the group {@link #bedrockGroup} found for {@code uri}
     * @throws IllegalArgumentException when {@code uri} is no Bedrock model path or the deployment has no origin
     */
    public PassThroughTarget forDeployment(PassThroughTarget target, Deployment deployment, String uri) {
        int actionAt = bedrockActionAt(uri);
        Origin origin = deployment.origin();
        ProviderAdapter adapter = deployment.adapter();
        if (actionAt < 0 || origin == null || adapter == null) {
            throw new IllegalArgumentException("not a Bedrock model path of a Bedrock deployment: " + uri);
        }
        String path = "/model/" + URLEncoder.encode(deployment.upstreamModel(), StandardCharsets.UTF_8)
                + uri.substring(actionAt);
        return new PassThroughTarget(origin, path, target.headers(), target.forwardClientHeaders(),
                target.dropClientCredentials(), target.authRequired(), deployment, target.provider(), adapter.auth(),
                true, deployment.timeoutNanos(), deployment.connectTimeoutMillis());
    }

    /** Where the action of a {@code /bedrock/model/<model>/<action>} path starts (its slash), or -1. */
    private static int bedrockActionAt(String uri) {
        if (!uri.startsWith(BEDROCK_MODEL)) {
            return -1;
        }
        int queryAt = uri.indexOf('?');
        int pathEnd = queryAt < 0 ? uri.length() : queryAt;
        int actionAt = uri.lastIndexOf('/', pathEnd - 1);
        return actionAt > BEDROCK_MODEL.length() && actionAt < pathEnd - 1 ? actionAt : -1;
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

    /**
     * A provider prefix's target: the first deployment of the provider, or its environment key (no deployment).
     *
     * @param signsBody whether {@code auth} hashes the body (SigV4)
     */
    private record Provider(Origin origin, UpstreamAuth auth, @Nullable Deployment deployment, boolean signsBody,
            long timeoutNanos, int connectTimeoutMillis) {
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
            Origin origin = originOf(target);
            if (origin == null) {
                throw new IllegalArgumentException("pass_through_endpoints target: " + endpoint.target()
                        + " (expected: an http:// or https:// URL)");
            }
            String basePath = target.getRawPath() == null ? "" : target.getRawPath();
            if (basePath.endsWith("/")) {
                basePath = basePath.substring(0, basePath.length() - 1);
            }
            String path = endpoint.path().length() > 1 && endpoint.path().endsWith("/")
                    ? endpoint.path().substring(0, endpoint.path().length() - 1) : endpoint.path();
            String query = target.getRawQuery() == null ? "" : target.getRawQuery();
            return new Configured(path, endpoint.includeSubpath(), origin, basePath, query, endpoint.headers(),
                    endpoint.forwardHeaders(), endpoint.auth());
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
