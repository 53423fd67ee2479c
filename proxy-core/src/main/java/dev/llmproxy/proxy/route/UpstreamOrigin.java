package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

/**
 * Where a deployment's provider listens: scheme, host and port to connect to, and the base path its endpoints hang
 * under. Thread-safety: immutable.
 *
 * @param scheme {@code http} or {@code https}
 * @param host the host name or IP literal (IPv6 without brackets)
 * @param port the TCP port, explicit or the scheme's default
 * @param basePath the path of the base URL without a trailing slash, empty or starting with {@code /}
 */
public record UpstreamOrigin(String scheme, String host, int port, String basePath) {

    public UpstreamOrigin {
        requireNonNull(scheme, "scheme");
        requireNonNull(host, "host");
        requireNonNull(basePath, "basePath");
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("scheme: " + scheme + " (expected: http or https)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        if (!basePath.isEmpty() && (!basePath.startsWith("/") || basePath.endsWith("/"))) {
            throw new IllegalArgumentException("basePath: " + basePath + " (expected: empty or /path without /)");
        }
    }

    /** Whether the connection uses TLS ({@code https}). */
    public boolean isTls() {
        return scheme.equals("https");
    }

    /** The {@code Host} header value: the host, with the port when it is not the scheme's default. */
    public String hostHeader() {
        String literal = host.indexOf(':') >= 0 ? '[' + host + ']' : host;
        return port == defaultPort(scheme) ? literal : literal + ':' + port;
    }

    /** The base URL, e.g. {@code https://api.openai.com/v1} (for {@code x-litellm-model-api-base} and logs). */
    public String baseUrl() {
        return scheme + "://" + hostHeader() + basePath;
    }

    static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }
}
