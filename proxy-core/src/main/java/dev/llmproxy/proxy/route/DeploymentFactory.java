package dev.llmproxy.proxy.route;

import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.DeploymentConfig;
import dev.llmproxy.proxy.config.LitellmParams;
import dev.llmproxy.proxy.config.ProxyConfig;
import dev.llmproxy.proxy.config.RouterSettings;
import dev.llmproxy.proxy.config.SslVerify;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Resolves one {@code model_list} entry against a provider into a {@link Deployment}. */
final class DeploymentFactory {

    private final ProxyConfig config;
    private final Map<String, String> env;

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
        UpstreamOrigin origin = provider.supported() ? origin(entry, provider) : null;
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
        return new Deployment(new Deployment.DeploymentSettings(entry, provider, upstreamModel, origin, apiVersion,
                key == null ? null : provider.authHeaderName(),
                key == null ? null : provider.authValuePrefix() + key,
                timeout, streamTimeout, sslVerify));
    }

    private UpstreamOrigin origin(DeploymentConfig entry, ProviderSpec provider) {
        String apiBase = orDefault(firstNonEmpty(entry.litellmParams().apiBase(), provider.apiBaseEnv()),
                provider.defaultApiBase());
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
        int port = uri.getPort() == -1 ? UpstreamOrigin.defaultPort(scheme) : uri.getPort();
        return new UpstreamOrigin(scheme, host, port, basePath);
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
}
