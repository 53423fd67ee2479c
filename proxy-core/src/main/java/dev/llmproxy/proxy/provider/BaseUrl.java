package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.upstream.Origin;

/**
 * A provider's base URL: the origin its connections go to and the path its endpoints hang under. Thread-safety:
 * immutable.
 *
 * @param origin scheme, host, port and TLS policy (the connection pool key)
 * @param basePath the path of the base URL without a trailing slash, empty or starting with {@code /}
 */
public record BaseUrl(Origin origin, String basePath) {

    public BaseUrl {
        requireNonNull(origin, "origin");
        requireNonNull(basePath, "basePath");
        if (!basePath.isEmpty() && (!basePath.startsWith("/") || basePath.endsWith("/"))) {
            throw new IllegalArgumentException("basePath: " + basePath + " (expected: empty or /path without /)");
        }
    }

    /** The base URL, e.g. {@code https://api.openai.com/v1} (for {@code x-litellm-model-api-base} and logs). */
    @Override
    public String toString() {
        return origin + basePath;
    }
}
