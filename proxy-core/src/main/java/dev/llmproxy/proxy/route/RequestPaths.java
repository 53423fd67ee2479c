package dev.llmproxy.proxy.route;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/** Builds the path and query of an upstream request from a provider's URL layout. */
final class RequestPaths {

    private RequestPaths() {}

    static String build(
            ProviderSpec provider,
            UpstreamOrigin origin,
            String upstreamModel,
            @Nullable String apiVersion,
            Endpoint endpoint) {
        String base = origin.basePath();
        return switch (provider.urlStyle()) {
            case AZURE -> {
                String path = base + "/openai/deployments/" + encodeSegment(upstreamModel) + endpoint.path();
                yield apiVersion == null ? path : path + "?api-version=" + encodeQuery(apiVersion);
            }
            case OPENAI -> base + endpoint.path();
        };
    }

    private static String encodeSegment(String segment) {
        // URLEncoder writes the form encoding, where a space is '+'; in a path segment it must be %20.
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodeQuery(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
