package dev.llmproxy.proxy.upstream;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The forward proxy for upstream connections, read from {@code HTTPS_PROXY}, {@code HTTP_PROXY} and {@code NO_PROXY}
 * (either case) as curl and Python's HTTP clients do, so users behind a corporate proxy configure llmproxy the way
 * they configure LiteLLM. Both schemes are tunnelled with HTTP CONNECT.
 *
 * <p>{@code NO_PROXY} is a comma-separated list of host names, domain suffixes ({@code .corp.example} or
 * {@code corp.example}, both matching sub-domains), IP literals, or {@code *} for all.
 *
 * <p>Thread-safety: immutable.
 */
public final class ForwardProxy {
    /** No proxy for any origin. */
    public static final ForwardProxy NONE = new ForwardProxy(null, null, List.of());

    private final @Nullable ProxyAddress httpsProxy;
    private final @Nullable ProxyAddress httpProxy;
    private final List<String> noProxy;

    private ForwardProxy(@Nullable ProxyAddress httpsProxy, @Nullable ProxyAddress httpProxy, List<String> noProxy) {
        this.httpsProxy = httpsProxy;
        this.httpProxy = httpProxy;
        this.noProxy = noProxy;
    }

    /**
     * Reads the proxy variables from {@code env}.
     *
     * @throws IllegalArgumentException if a proxy variable is not an {@code http://host:port} URL
     */
    public static ForwardProxy fromEnvironment(Map<String, String> env) {
        ProxyAddress https = parse(env, "HTTPS_PROXY");
        ProxyAddress http = parse(env, "HTTP_PROXY");
        List<String> noProxy = new ArrayList<>();
        String list = variable(env, "NO_PROXY");
        if (list != null) {
            for (String entry : list.split(",")) {
                String trimmed = entry.trim().toLowerCase(Locale.ROOT);
                if (!trimmed.isEmpty()) {
                    noProxy.add(trimmed.startsWith(".") ? trimmed.substring(1) : trimmed);
                }
            }
        }
        return new ForwardProxy(https, http, List.copyOf(noProxy));
    }

    /** The proxy to tunnel through to reach {@code origin}, or null to connect directly. */
    public @Nullable ProxyAddress proxyFor(Origin origin) {
        ProxyAddress proxy = origin.secure() ? httpsProxy : httpProxy;
        if (proxy == null || isExcluded(origin.host())) {
            return null;
        }
        return proxy;
    }

    private boolean isExcluded(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        for (String entry : noProxy) {
            if (entry.equals("*") || name.equals(entry) || name.endsWith("." + entry)) {
                return true;
            }
        }
        return false;
    }

    private static @Nullable ProxyAddress parse(Map<String, String> env, String name) {
        String value = variable(env, name);
        if (value == null) {
            return null;
        }
        URI uri;
        try {
            uri = URI.create(value.contains("://") ? value : "http://" + value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": not a proxy URL: " + value, e);
        }
        if (uri.getHost() == null || !"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException(name + ": expected http://host:port, got " + value);
        }
        String user = null;
        String password = null;
        if (uri.getUserInfo() != null) {
            int colon = uri.getUserInfo().indexOf(':');
            user = colon < 0 ? uri.getUserInfo() : uri.getUserInfo().substring(0, colon);
            password = colon < 0 ? "" : uri.getUserInfo().substring(colon + 1);
        }
        return new ProxyAddress(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort(), user, password);
    }

    private static @Nullable String variable(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            value = env.get(name.toLowerCase(Locale.ROOT));
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    /**
     * A forward proxy.
     *
     * @param host its host name or IP
     * @param port its port
     * @param user basic-auth user, or null
     * @param password basic-auth password, or null
     */
    public record ProxyAddress(String host, int port, @Nullable String user, @Nullable String password) {
        @Override
        public String toString() {
            return "http://" + host + ":" + port;
        }
    }
}
