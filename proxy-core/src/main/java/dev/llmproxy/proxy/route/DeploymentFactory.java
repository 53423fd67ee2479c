package dev.llmproxy.proxy.route;

import dev.llmproxy.codec.anthropic.AnthropicRequestEncoder;
import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.DeploymentConfig;
import dev.llmproxy.proxy.config.LitellmParams;
import dev.llmproxy.proxy.config.ProxyConfig;
import dev.llmproxy.proxy.config.RouterSettings;
import dev.llmproxy.proxy.config.SslVerify;
import dev.llmproxy.proxy.provider.AnthropicAdapter;
import dev.llmproxy.proxy.provider.BedrockAdapter;
import dev.llmproxy.proxy.provider.MediaDownloads;
import dev.llmproxy.proxy.provider.BaseUrl;
import dev.llmproxy.proxy.provider.CopilotAuth;
import dev.llmproxy.proxy.provider.CopilotTokens;
import dev.llmproxy.proxy.provider.GeminiAdapter;
import dev.llmproxy.proxy.provider.OpenAiAdapter;
import dev.llmproxy.proxy.provider.ProviderAdapter;
import dev.llmproxy.proxy.provider.ProviderSpec;
import dev.llmproxy.proxy.provider.RerankAdapter;
import dev.llmproxy.proxy.provider.ResponsesBridgeAdapter;
import dev.llmproxy.proxy.provider.UpstreamAuth;
import dev.llmproxy.proxy.provider.UrlStyle;
import dev.llmproxy.proxy.provider.VertexAnthropicAdapter;
import dev.llmproxy.proxy.upstream.Origin;
import dev.llmproxy.proxy.upstream.TlsPolicy;
import io.netty.util.AsciiString;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import org.jspecify.annotations.Nullable;

/** Resolves one {@code model_list} entry against a provider into a {@link Deployment}. */
final class DeploymentFactory {
    /** LiteLLM sends this as a bearer token when an Anthropic deployment has no key. */
    private static final List<String> ANTHROPIC_TOKEN_ENV = List.of("ANTHROPIC_AUTH_TOKEN");
    /** The providers llmproxy calls for rerank only, through {@link RerankAdapter}. */
    private static final Set<String> RERANK_PROVIDERS = Set.of("cohere", "jina_ai", "voyage", "infinity");

    private final ProxyConfig config;
    private final Map<String, String> env;
    /** Made when the first Vertex AI deployment is, on the thread that loads the config. */
    private @Nullable HttpClient tokenClient;
    /** Vertex AI token sources by credentials, shared by the deployments that use the same service account. */
    private final Map<String, UpstreamAuth> vertexTokens = new HashMap<>();
    /** GitHub Copilot's tokens, made with the first github_copilot deployment and shared by all of them. */
    private @Nullable CopilotTokens copilotTokens;
    private @Nullable CopilotAuth copilotAuth;
    /** Bedrock's image downloads, shared by every deployment; its client is made at the first download. */
    private final MediaDownloads mediaDownloads = new MediaDownloads(new MediaClient(),
            ForkJoinPool.commonPool());

    DeploymentFactory(ProxyConfig config) {
        this.config = config;
        this.env = config.environment();
    }

    /**
     * @param upstreamModel the model after the provider prefix, possibly a pattern with {@code *}
     * @throws ConfigException when a supported provider has no base URL or the base URL is not an http(s) URL
     */
    Deployment create(DeploymentConfig entry, ProviderSpec provider, String upstreamModel) {
        LitellmParams params = entry.litellmParams();
        String key = firstNonEmpty(params.apiKey(), provider.apiKeyEnv());
        String apiVersion = provider.urlStyle() == UrlStyle.AZURE
                ? orDefault(firstNonEmpty(params.apiVersion(), provider.apiVersionEnv()), provider.defaultApiVersion())
                : params.apiVersion();
        RouterSettings router = config.routerSettings();
        Duration requestTimeout = config.litellmSettings().requestTimeout();
        Duration timeout = first(params.timeout(), router.timeout(), requestTimeout);
        Duration streamTimeout = first(params.streamTimeout(), params.timeout(), first(router.streamTimeout(),
                router.timeout(), requestTimeout));
        SslVerify sslVerify = params.sslVerify() != null ? params.sslVerify()
                : config.litellmSettings().sslVerify() != null ? config.litellmSettings().sslVerify()
                : SslVerify.ENABLED;
        BaseUrl baseUrl = null;
        ProviderAdapter adapter = null;
        if (provider.supported()) {
            String location = provider.name().equals("vertex_ai") ? vertexLocation(params) : null;
            BedrockSettings bedrock = provider.name().equals("bedrock")
                    ? BedrockSettings.of(entry, env, upstreamModel) : null;
            String copilotBase = provider.name().equals("github_copilot") ? copilotTokens().cachedApiBase() : null;
            baseUrl = baseUrl(entry, provider, tlsPolicy(sslVerify), bedrock != null ? bedrock.defaultEndpoint()
                    : location != null ? VertexSettings.host(location)
                    : copilotBase != null ? copilotBase : provider.defaultApiBase());
            adapter = ResponsesBridgeAdapter.of(bedrock != null
                    ? new BedrockAdapter(baseUrl, upstreamModel, bedrock.auth(entry, env, key, Clock.systemUTC(), this::tokenClient),
                            dropParams(entry), additionalDropParams(entry), mediaDownloads)
                    : adapter(entry, provider, baseUrl, key, apiVersion, upstreamModel, location), provider);
        }
        return new Deployment(new Deployment.DeploymentSettings(entry, provider, adapter, baseUrl, upstreamModel,
                timeout, streamTimeout, limits(entry), params.weight() == null ? -1 : params.weight(),
                order(entry)));
    }

    /** {@code order}: a whole number that fits an int (a larger one is a config error, not a wrapped value). */
    private static int order(DeploymentConfig entry) {
        long order = count(entry, "order", 0);
        if (order > Integer.MAX_VALUE) {
            String where = entry.litellmParams().extraParams().get("order") != null ? ".litellm_params" : ".model_info";
            throw new ConfigException(entry.location(), entry.keyPath() + where + ".order",
                    "expected a whole number from 0 to " + Integer.MAX_VALUE + ", got " + order);
        }
        return (int) order;
    }

    /** The adapter of the provider's wire format: Anthropic's Messages API, Gemini's API, else the OpenAI format. */
    private ProviderAdapter adapter(DeploymentConfig entry, ProviderSpec provider, BaseUrl baseUrl,
            @Nullable String key, @Nullable String apiVersion, String upstreamModel, @Nullable String location) {
        if (provider.name().equals("anthropic")) {
            return new AnthropicAdapter(baseUrl, AnthropicAdapter.auth(key, firstNonEmpty(null, ANTHROPIC_TOKEN_ENV)),
                    new AnthropicRequestEncoder.Drops(dropParams(entry), additionalDropParams(entry), "anthropic"));
        }
        if (provider.name().equals("gemini")) {
            return GeminiAdapter.aiStudio(baseUrl, geminiSettings(entry, false, upstreamModel,
                    GeminiAdapter.apiKeyAuth(key)));
        }
        if (location != null) {
            VertexSettings vertex = VertexSettings.of(entry, env, this::tokenClient, vertexTokens);
            if (upstreamModel.startsWith("claude")) {
                return new VertexAnthropicAdapter(baseUrl, vertex.project(), location, vertex.auth(),
                        new AnthropicRequestEncoder.Drops(dropParams(entry), additionalDropParams(entry), "vertex_ai"));
            }
            return GeminiAdapter.vertex(baseUrl, vertex.project(), location,
                    geminiSettings(entry, true, upstreamModel, vertex.auth()));
        }
        if (RERANK_PROVIDERS.contains(provider.name())) {
            return new RerankAdapter(baseUrl, provider.name(), key == null ? UpstreamAuth.NONE
                    : UpstreamAuth.header(AsciiString.cached(provider.authHeaderName()),
                            AsciiString.of(provider.authValuePrefix() + key)), upstreamModel);
        }
        if (provider.name().equals("github_copilot")) {
            return new OpenAiAdapter(baseUrl, provider.urlStyle(), apiVersion, copilotAuth(),
                    additionalDropParams(entry));
        }
        UpstreamAuth auth = key == null ? UpstreamAuth.NONE : UpstreamAuth.header(
                AsciiString.cached(provider.authHeaderName()), AsciiString.of(provider.authValuePrefix() + key));
        return new OpenAiAdapter(baseUrl, provider.urlStyle(), apiVersion, auth, additionalDropParams(entry));
    }

    private CopilotTokens copilotTokens() {
        CopilotTokens tokens = copilotTokens;
        if (tokens == null) {
            tokens = new CopilotTokens(CopilotTokens.Settings.of(env), tokenClient(), Clock.systemUTC(),
                    ForkJoinPool.commonPool());
            copilotTokens = tokens;
        }
        return tokens;
    }

    private CopilotAuth copilotAuth() {
        CopilotAuth auth = copilotAuth;
        if (auth == null) {
            auth = new CopilotAuth(copilotTokens(), Clock.systemUTC());
            copilotAuth = auth;
        }
        return auth;
    }

    /** A Gemini deployment's settings: its drop settings ({@link #dropParams}) and its auth. */
    private GeminiAdapter.Settings geminiSettings(DeploymentConfig entry, boolean vertex, String upstreamModel,
            UpstreamAuth auth) {
        return new GeminiAdapter.Settings(vertex, upstreamModel, dropParams(entry), additionalDropParams(entry), auth);
    }

    /** {@code drop_params} of the deployment, else of {@code litellm_settings}. */
    private boolean dropParams(DeploymentConfig entry) {
        Object own = entry.litellmParams().extraParams().get("drop_params");
        return own != null ? Boolean.TRUE.equals(own) || own.toString().equalsIgnoreCase("true")
                : config.litellmSettings().dropParams();
    }

    /** The deployment's {@code additional_drop_params}: top-level request parameters it always removes. */
    private static Set<String> additionalDropParams(DeploymentConfig entry) {
        Set<String> names = new HashSet<>();
        if (entry.litellmParams().extraParams().get("additional_drop_params") instanceof List<?> list) {
            for (Object name : list) {
                if (name != null) {
                    names.add(name.toString());
                }
            }
        }
        return names;
    }

    /** {@code vertex_location}, else {@code VERTEXAI_LOCATION}, else {@code us-central1} (LiteLLM's default). */
    private String vertexLocation(LitellmParams params) {
        Object configured = params.extraParams().get("vertex_location");
        String location = firstNonEmpty(configured == null ? null : configured.toString(),
                List.of("VERTEXAI_LOCATION"));
        return location != null ? location : "us-central1";
    }

    /** The client that fetches Vertex AI and GitHub Copilot tokens and AWS STS credentials, made for the first deployment that needs one. */
    private HttpClient tokenClient() {
        HttpClient client = tokenClient;
        if (client == null) {
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            tokenClient = client;
        }
        return client;
    }

    /**
     * rpm, tpm and rpd from litellm_params, else model_info (LiteLLM reads both); max_parallel_requests likewise, else
     * general_settings'; the day's zone from litellm_params' {@code rpd_reset_timezone}, else router_settings'.
     */
    private DeploymentLimits limits(DeploymentConfig entry) {
        LitellmParams params = entry.litellmParams();
        return new DeploymentLimits(
                params.rpm() != null ? params.rpm() : count(entry, "rpm", DeploymentLimits.NONE),
                params.tpm() != null ? params.tpm() : count(entry, "tpm", DeploymentLimits.NONE),
                params.rpd() != null ? params.rpd() : count(entry, "rpd", DeploymentLimits.NONE),
                count(entry, "max_parallel_requests", defaultMaxParallelRequests()),
                rpdResetZone(entry));
    }

    /** {@code general_settings.max_parallel_requests}: "max parallel requests allowed per deployment" (LiteLLM). */
    private long defaultMaxParallelRequests() {
        Long value = config.reliability().maxParallelRequests();
        return value == null ? DeploymentLimits.NONE : value;
    }

    private ZoneId rpdResetZone(DeploymentConfig entry) {
        Object value = entry.litellmParams().extraParams().get("rpd_reset_timezone");
        if (value == null) {
            return config.routerSettings().rpdResetZone();
        }
        try {
            return ZoneId.of(value.toString().trim());
        } catch (DateTimeException e) {
            throw new ConfigException(entry.location(), entry.keyPath() + ".litellm_params.rpd_reset_timezone",
                    "unknown time zone '" + value + "' (expected an IANA zone such as America/Los_Angeles or UTC)");
        }
    }

    /** A whole non-negative number from litellm_params' other keys, else model_info's, else {@code absent}. */
    private static long count(DeploymentConfig entry, String key, long absent) {
        Object value = entry.litellmParams().extraParams().get(key);
        String where = ".litellm_params.";
        if (value == null) {
            value = entry.modelInfo().other().get(key);
            where = ".model_info.";
        }
        if (value == null) {
            return absent;
        }
        if (value instanceof Number number && number.doubleValue() >= 0 && number.doubleValue() <= Long.MAX_VALUE
                && number.doubleValue() == Math.rint(number.doubleValue())) {
            return number.longValue();
        }
        throw new ConfigException(entry.location(), entry.keyPath() + where + key,
                "expected a whole number >= 0, got '" + value + "'");
    }

    private static TlsPolicy tlsPolicy(SslVerify ssl) {
        if (!ssl.verify()) {
            return TlsPolicy.INSECURE;
        }
        return ssl.caBundle() == null ? TlsPolicy.VERIFY : TlsPolicy.trusting(Path.of(ssl.caBundle()));
    }

    private BaseUrl baseUrl(DeploymentConfig entry, ProviderSpec provider, TlsPolicy tls,
            @Nullable String defaultApiBase) {
        String apiBase = orDefault(firstNonEmpty(entry.litellmParams().apiBase(), provider.apiBaseEnv()),
                defaultApiBase);
        String path = entry.keyPath() + ".litellm_params.api_base";
        if (apiBase == null) {
            String variables =
                    provider.apiBaseEnv().isEmpty() ? "" : " or " + String.join(" / ", provider.apiBaseEnv());
            throw new ConfigException(entry.location(), path,
                    "provider " + provider.name() + " has no default URL; set api_base" + variables);
        }
        URI uri;
        try {
            uri = new URI(apiBase.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException(entry.location(), path, "not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new ConfigException(entry.location(), path,
                    "expected an http:// or https:// URL with a host, got '" + apiBase + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new ConfigException(entry.location(), path,
                    "expected a base URL without query, fragment or credentials");
        }
        String basePath = stripTrailingSlashes(uri.getRawPath() == null ? "" : uri.getRawPath());
        String suffix = provider.basePathSuffix();
        if (!suffix.isEmpty() && !basePath.endsWith(suffix)) {
            basePath = basePath + suffix;
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean secure = scheme.equals("https");
        int port = uri.getPort() == -1 ? (secure ? 443 : 80) : uri.getPort();
        return new BaseUrl(new Origin(secure, host, port, tls), basePath);
    }

    private @Nullable String firstNonEmpty(@Nullable String configured, List<String> variables) {
        if (configured != null && !configured.isEmpty()) {
            return configured;
        }
        for (String variable : variables) {
            String value = env.get(variable);
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return null;
    }

    private static @Nullable String orDefault(@Nullable String value, @Nullable String fallback) {
        return value != null ? value : fallback;
    }

    private static Duration first(@Nullable Duration a, @Nullable Duration b, Duration fallback) {
        return a != null ? a : b != null ? b : fallback;
    }

    private static String stripTrailingSlashes(String path) {
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(0, end);
    }

    /** The HTTP client of image downloads, made once, at the first download (on the download executor). */
    private static final class MediaClient implements java.util.function.Supplier<HttpClient> {
        private volatile @Nullable HttpClient client;

        @Override
        public synchronized HttpClient get() {
            HttpClient made = client;
            if (made == null) {
                made = MediaDownloads.newClient();
                client = made;
            }
            return made;
        }
    }
}
