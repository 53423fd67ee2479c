package dev.llmproxy.bench.mock;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

/**
 * Turns a request to one of Google's endpoints into an {@link MockRequestHandler.Exchange}, refusing what Google
 * would refuse, with Google's status and wording:
 * <ul>
 *   <li>AI Studio paths ({@code /v1beta/models/...}) without a key in {@code x-goog-api-key}, the {@code key} query
 *       parameter or {@code authorization: Bearer}: 403 {@code PERMISSION_DENIED};
 *   <li>Vertex AI paths ({@code /projects/...}) without a bearer token the mock's token endpoint issued: 401
 *       {@code UNAUTHENTICATED};
 *   <li>{@code :streamGenerateContent} without {@code alt=sse}: 400 (the mock speaks only SSE);
 *   <li>a body that is not a JSON object: 400 {@code INVALID_ARGUMENT};
 *   <li>Claude on Vertex AI ({@code :rawPredict}): a body without {@code anthropic_version}, or with a
 *       {@code model}: 400;
 *   <li>the token endpoint: a request {@link GoogleTokenCheck} finds wrong, 400 {@code invalid_grant}.
 * </ul>
 *
 * <p>Thread-safety: stateless; runs on the connection's event loop.
 */
final class GoogleExchanges {
    private GoogleExchanges() {
    }

    static MockRequestHandler.Exchange of(MockState state, FullHttpRequest request, MockRoute route,
            MockRequest parsed, boolean keepAlive, String label) {
        if (route.endpoint() == MockRoute.Endpoint.GOOGLE_TOKEN) {
            state.counters.googleTokenRequests.incrementAndGet();
            String problem = GoogleTokenCheck.problem(request.content().toString(StandardCharsets.UTF_8),
                    state.config.googleTokenKey());
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label, problem, 400);
        }
        String uri = request.uri();
        boolean vertex = uri.contains("/projects/");
        String refusal = vertex ? vertexAuthProblem(state, request.headers()) : apiKeyProblem(uri, request.headers());
        if (refusal != null) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label, refusal, vertex ? 401 : 403);
        }
        if (route.endpoint() == MockRoute.Endpoint.RAW_PREDICT
                || route.endpoint() == MockRoute.Endpoint.STREAM_RAW_PREDICT) {
            return rawPredict(request, route, parsed, keepAlive, label);
        }
        boolean stream = route.endpoint() == MockRoute.Endpoint.STREAM_GENERATE_CONTENT;
        if (stream && !uri.contains("alt=sse")) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label,
                    "The mock streams only with alt=sse", 400);
        }
        parsed.stream = stream;
        try {
            GeminiRequestParser.parse(request.content(), parsed);
        } catch (JacksonException | IllegalArgumentException e) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label,
                    "Invalid JSON payload received.", 400);
        }
        String body = request.content().toString(StandardCharsets.UTF_8);
        if (route.endpoint() == MockRoute.Endpoint.PREDICT && route.name().contains("imagen")
                && (!body.contains("\"instances\":[{\"prompt\":") || body.contains("\"n\":")
                        || body.contains("\"size\":"))) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label,
                    "Invalid JSON payload received. instances[].prompt is required; unknown names are refused.", 400);
        }
        parsed.model = route.name();
        return new MockRequestHandler.Exchange(route, parsed, keepAlive, label, null);
    }

    /**
     * Claude on Vertex AI: an Anthropic Messages body that names no {@code model} (the URL does) and carries
     * {@code anthropic_version}; its top-level {@code mock_*} controls are read as on {@code /v1/messages}.
     */
    private static MockRequestHandler.Exchange rawPredict(FullHttpRequest request, MockRoute route,
            MockRequest parsed, boolean keepAlive, String label) {
        String body = request.content().toString(StandardCharsets.UTF_8);
        if (route.isTokenCount()) {
            return countTokens(request, route, parsed, keepAlive, label);
        }
        if (!body.contains("\"anthropic_version\"")) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label,
                    "anthropic_version: Field required", 400);
        }
        try {
            MockRequestParser.parse(request.content(), parsed);
        } catch (JacksonException | IllegalArgumentException e) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label,
                    "Invalid JSON payload received.", 400);
        }
        if (!parsed.model.isEmpty()) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label,
                    "model: Extra inputs are not permitted", 400);
        }
        parsed.model = route.name();
        parsed.stream = route.endpoint() == MockRoute.Endpoint.STREAM_RAW_PREDICT;
        return new MockRequestHandler.Exchange(route, parsed, keepAlive, label, null);
    }

    /** Vertex AI's Claude token counting: Anthropic's body, its {@code model} naming the model counted for. */
    private static MockRequestHandler.Exchange countTokens(FullHttpRequest request, MockRoute route,
            MockRequest parsed, boolean keepAlive, String label) {
        try {
            MockRequestParser.parse(request.content(), parsed);
        } catch (JacksonException | IllegalArgumentException e) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label,
                    "Invalid JSON payload received.", 400);
        }
        if (parsed.model.isEmpty()) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label, "model: Field required", 400);
        }
        return new MockRequestHandler.Exchange(route, parsed, keepAlive, label, null);
    }

    private static @Nullable String apiKeyProblem(String uri, HttpHeaders headers) {
        boolean key = headers.contains("x-goog-api-key") || uri.contains("?key=") || uri.contains("&key=")
                || bearer(headers) != null;
        return key ? null : "Method doesn't allow unregistered callers (callers without established identity). "
                + "Please use API Key or other form of API consumer identity to call this API.";
    }

    private static @Nullable String vertexAuthProblem(MockState state, HttpHeaders headers) {
        String token = bearer(headers);
        return token != null && state.googleTokens.contains(token) ? null
                : "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                        + "other valid authentication credential.";
    }

    private static @Nullable String bearer(HttpHeaders headers) {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        return authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
    }
}
