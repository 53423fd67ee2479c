package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One {@code general_settings.pass_through_endpoints} entry: requests to {@code path} are forwarded to
 * {@code target} as they are, bodies streamed both ways.
 *
 * @param path the proxy route, starting with {@code /}
 * @param target the URL the route forwards to ({@code http} or {@code https})
 * @param headers headers added to every forwarded request, {@code os.environ/NAME} inside a value resolved
 * @param forwardHeaders whether the client's headers are forwarded too (those in {@code headers} win)
 * @param includeSubpath whether {@code path/anything} forwards to {@code target/anything}; else only {@code path}
 * @param auth whether the route needs the master key or a virtual key (LiteLLM's default: it does not)
 */
public record PassThroughEndpoint(
        String path,
        String target,
        Map<String, String> headers,
        boolean forwardHeaders,
        boolean includeSubpath,
        boolean auth) {

    public PassThroughEndpoint {
        requireNonNull(path, "path");
        requireNonNull(target, "target");
        headers = Map.copyOf(headers);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path: " + path + " (expected: starts with /)");
        }
    }

    @Override
    public String toString() {
        return "PassThroughEndpoint[path=" + path + ", target=" + target + ", headers=" + headers.keySet()
                + ", forwardHeaders=" + forwardHeaders + ", includeSubpath=" + includeSubpath + ", auth=" + auth + ']';
    }
}
