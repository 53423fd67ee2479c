package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.files.FilesApi;
import dev.llmproxy.proxy.management.ManagementApi;
import dev.llmproxy.proxy.passthrough.PassThroughRoutes;
import dev.llmproxy.proxy.provider.Endpoint;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * What a request path asks for, as LiteLLM maps it: each API with and without the {@code /v1} prefix, plus the
 * Azure-style {@code /openai/deployments/{model}/...} and {@code /engines/{model}/...} forms that name the model in
 * the path.
 *
 * @param kind which handler serves the path
 * @param endpoint the forwarded API, for {@link Kind#MODEL_CALL}
 * @param pathModel the model named in the path (Azure-style paths and {@code /v1/models/{id}}), or the response id of
 *     {@code /v1/responses/{id}[/input_items]}, else null
 */
record ApiPath(Kind kind, @Nullable Endpoint endpoint, @Nullable String pathModel) {

    enum Kind {
        MODEL_CALL(HttpMethod.POST, true),
        MODELS(HttpMethod.GET, true),
        MODEL_INFO(HttpMethod.GET, true),
        LIVENESS(HttpMethod.GET, false),
        READINESS(HttpMethod.GET, false),
        /** {@code GET /health}: probes (or the last background round of) every deployment; needs a key. */
        HEALTH(HttpMethod.GET, true),
        /** Public unless the metrics require authentication (decided by the handler). */
        METRICS(HttpMethod.GET, false),
        /** A {@code /key/...} management route read with GET ({@code /key/info}, {@code /key/list}). */
        MANAGEMENT_GET(HttpMethod.GET, true),
        /** A {@code /key/...} management route that writes. */
        MANAGEMENT_POST(HttpMethod.POST, true),
        /** {@code /v1/files...} and {@code /v1/batches...}: several methods, checked by the files API. */
        FILES(null, true),
        /** {@code GET} or {@code DELETE /v1/responses/{id}}; the id is {@link #pathModel()}. */
        RESPONSE(HttpMethod.GET, true),
        /** {@code GET /v1/responses/{id}/input_items}; the id is {@link #pathModel()}. */
        RESPONSE_INPUT_ITEMS(HttpMethod.GET, true),
        NOT_FOUND(null, false);

        private final @Nullable HttpMethod method;
        private final boolean authenticated;

        Kind(@Nullable HttpMethod method, boolean authenticated) {
            this.method = method;
            this.authenticated = authenticated;
        }

        @Nullable HttpMethod method() {
            return method;
        }

        boolean isAuthenticated() {
            return authenticated;
        }

        /** Whether {@code requested} is a method this kind of path answers. */
        boolean allows(HttpMethod requested) {
            return requested.equals(method) || this == RESPONSE && requested.equals(HttpMethod.DELETE);
        }

        /** The {@code Allow} header of a 405. */
        String allowHeader() {
            return this == RESPONSE ? "GET, DELETE" : String.valueOf(method);
        }
    }

    private static final ApiPath CHAT = new ApiPath(Kind.MODEL_CALL, Endpoint.CHAT_COMPLETIONS, null);
    private static final ApiPath COMPLETIONS = new ApiPath(Kind.MODEL_CALL, Endpoint.COMPLETIONS, null);
    private static final ApiPath EMBEDDINGS = new ApiPath(Kind.MODEL_CALL, Endpoint.EMBEDDINGS, null);
    private static final ApiPath MESSAGES = new ApiPath(Kind.MODEL_CALL, Endpoint.MESSAGES, null);
    private static final ApiPath COUNT_TOKENS = new ApiPath(Kind.MODEL_CALL, Endpoint.MESSAGES_COUNT_TOKENS, null);
    private static final ApiPath RESPONSES = new ApiPath(Kind.MODEL_CALL, Endpoint.RESPONSES, null);
    private static final ApiPath TRANSCRIPTIONS = new ApiPath(Kind.MODEL_CALL, Endpoint.AUDIO_TRANSCRIPTIONS, null);
    private static final ApiPath TRANSLATIONS = new ApiPath(Kind.MODEL_CALL, Endpoint.AUDIO_TRANSLATIONS, null);
    private static final ApiPath IMAGE_EDITS = new ApiPath(Kind.MODEL_CALL, Endpoint.IMAGES_EDITS, null);
    private static final ApiPath IMAGE_VARIATIONS = new ApiPath(Kind.MODEL_CALL, Endpoint.IMAGES_VARIATIONS, null);
    private static final ApiPath SPEECH = new ApiPath(Kind.MODEL_CALL, Endpoint.AUDIO_SPEECH, null);
    private static final ApiPath IMAGES = new ApiPath(Kind.MODEL_CALL, Endpoint.IMAGE_GENERATIONS, null);
    private static final ApiPath MODERATIONS = new ApiPath(Kind.MODEL_CALL, Endpoint.MODERATIONS, null);
    private static final ApiPath RERANK = new ApiPath(Kind.MODEL_CALL, Endpoint.RERANK, null);
    private static final ApiPath MODELS = new ApiPath(Kind.MODELS, null, null);
    private static final ApiPath LIVENESS = new ApiPath(Kind.LIVENESS, null, null);
    private static final ApiPath READINESS = new ApiPath(Kind.READINESS, null, null);
    private static final ApiPath HEALTH = new ApiPath(Kind.HEALTH, null, null);
    private static final ApiPath METRICS = new ApiPath(Kind.METRICS, null, null);
    private static final ApiPath NOT_FOUND = new ApiPath(Kind.NOT_FOUND, null, null);
    private static final ApiPath MANAGEMENT_GET = new ApiPath(Kind.MANAGEMENT_GET, null, null);
    private static final ApiPath MANAGEMENT_POST = new ApiPath(Kind.MANAGEMENT_POST, null, null);
    private static final ApiPath FILES = new ApiPath(Kind.FILES, null, null);
    private static final String[] RESPONSE_PREFIXES = {"/v1/responses/", "/responses/"};
    private static final String INPUT_ITEMS = "/input_items";
    private static final String CANCEL = "/cancel";
    private static final String[] MODEL_INFO_PREFIXES = {"/v1/models/", "/models/"};
    private static final String[] MODEL_IN_PATH_PREFIXES = {"/openai/deployments/", "/v1/openai/deployments/",
        "/engines/", "/v1/engines/"};

    /** Maps a request URI (path and optional query) to its target; unknown paths map to {@link Kind#NOT_FOUND}. */
    static ApiPath of(String uri) {
        uri = originForm(uri);
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        switch (path) {
            case "/v1/chat/completions", "/chat/completions":
                return CHAT;
            case "/v1/completions", "/completions":
                return COMPLETIONS;
            case "/v1/embeddings", "/embeddings":
                return EMBEDDINGS;
            case "/v1/messages":
                return MESSAGES;
            case "/v1/messages/count_tokens":
                return COUNT_TOKENS;
            case "/v1/responses", "/responses":
                return RESPONSES;
            case "/v1/audio/transcriptions", "/audio/transcriptions":
                return TRANSCRIPTIONS;
            case "/v1/audio/translations", "/audio/translations":
                return TRANSLATIONS;
            case "/v1/images/edits", "/images/edits":
                return IMAGE_EDITS;
            case "/v1/images/variations", "/images/variations":
                return IMAGE_VARIATIONS;
            case "/v1/audio/speech", "/audio/speech":
                return SPEECH;
            case "/v1/images/generations", "/images/generations":
                return IMAGES;
            case "/v1/moderations", "/moderations":
                return MODERATIONS;
            case "/v1/rerank", "/rerank", "/v2/rerank":
                return RERANK;
            case "/v1/models", "/models":
                return MODELS;
            case "/health/liveliness", "/health/liveness":
                return LIVENESS;
            case "/health/readiness":
                return READINESS;
            case "/health":
                return HEALTH;
            case "/metrics":
                return METRICS;
            default:
                if (FilesApi.isPath(path)) {
                    return FILES;
                }
                if (ManagementApi.isRoute("GET", path)) {
                    return MANAGEMENT_GET;
                }
                if (ManagementApi.isRoute("POST", path)) {
                    return MANAGEMENT_POST;
                }
                return withModelInPath(path);
        }
    }

    /**
     * Whether the body of the request {@code head} introduces is streamed to the provider as it arrives rather than
     * collected first: an upload ({@link Endpoint#isUpload()}, or a file's, {@link FilesApi#isUpload}). Decided on
     * the head; a JSON path pays three {@code indexOf} calls for it.
     */
    static boolean streamsBody(HttpRequest head) {
        if (!HttpMethod.POST.equals(head.method())) {
            return false;
        }
        String uri = head.uri();
        if (uri.indexOf("/files") >= 0) {
            return FilesApi.isUpload(originForm(uri));
        }
        if (uri.indexOf("/audio/") < 0 && uri.indexOf("/images/") < 0) {
            return false;
        }
        Endpoint endpoint = of(uri).endpoint();
        return endpoint != null && endpoint.isUpload();
    }

    /** Whether the request's body is streamed: an upload, or any request to a pass-through route. */
    static boolean streamsBody(HttpRequest head, PassThroughRoutes passThrough) {
        return streamsBody(head) || isPassThrough(head.uri(), passThrough);
    }

    /**
     * Whether {@code uri} is a pass-through route: a configured one (which wins over a built-in route of the same
     * path, as the operator asked for it), or a provider prefix that no built-in route takes (the Azure-style
     * {@code /openai/deployments/{model}/...} stays a model call).
     */
    static boolean isPassThrough(String uri, PassThroughRoutes passThrough) {
        String path = originForm(uri);
        return passThrough.isConfigured(path)
                || passThrough.isProviderRoute(path) && of(uri).kind() == Kind.NOT_FOUND;
    }

    /**
     * The origin form of a request target: servers must accept the absolute form ({@code http://host/path}, RFC 9112
     * section 3.2.2), which proxies and some clients send; its scheme and authority are dropped here.
     */
    static String originForm(String uri) {
        if (uri.startsWith("/")) {
            return uri;
        }
        int scheme = uri.regionMatches(true, 0, "http://", 0, 7) ? 7
                : uri.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
        if (scheme < 0) {
            return uri;
        }
        int path = uri.indexOf('/', scheme);
        int query = uri.indexOf('?', scheme);
        if (path < 0 || query >= 0 && query < path) {
            return query < 0 ? "/" : "/" + uri.substring(query);
        }
        return uri.substring(path);
    }

    private static ApiPath withModelInPath(String path) {
        for (String prefix : RESPONSE_PREFIXES) {
            if (path.startsWith(prefix) && path.length() > prefix.length()) {
                return response(path.substring(prefix.length()));
            }
        }
        for (String prefix : MODEL_INFO_PREFIXES) {
            if (path.startsWith(prefix) && path.length() > prefix.length()) {
                return new ApiPath(Kind.MODEL_INFO, null, decode(path.substring(prefix.length())));
            }
        }
        for (String prefix : MODEL_IN_PATH_PREFIXES) {
            if (!path.startsWith(prefix)) {
                continue;
            }
            for (Endpoint endpoint : Endpoint.values()) {
                if (endpoint == Endpoint.MESSAGES || endpoint == Endpoint.MESSAGES_COUNT_TOKENS
                        || endpoint.isFileApi()) {
                    // Anthropic's API names its model in the body only; Azure-style paths are OpenAI's model calls.
                    continue;
                }
                String suffix = endpoint.path();
                int modelEnd = path.length() - suffix.length();
                if (path.endsWith(suffix) && modelEnd > prefix.length()) {
                    return new ApiPath(
                            Kind.MODEL_CALL, endpoint, decode(path.substring(prefix.length(), modelEnd)));
                }
            }
        }
        return NOT_FOUND;
    }

    /**
     * A response's path below {@code /v1/responses/}: the id, then maybe {@code /input_items}. The id is taken whole,
     * slashes and all (a managed id is Base64, whose alphabet has {@code /}, and clients do not always encode it).
     */
    private static ApiPath response(String rest) {
        if (rest.endsWith(INPUT_ITEMS) && rest.length() > INPUT_ITEMS.length()) {
            return new ApiPath(Kind.RESPONSE_INPUT_ITEMS, Endpoint.RESPONSES,
                    decode(rest.substring(0, rest.length() - INPUT_ITEMS.length())));
        }
        if (rest.endsWith(CANCEL)) {
            return NOT_FOUND;
        }
        return new ApiPath(Kind.RESPONSE, Endpoint.RESPONSES, decode(rest));
    }

    private static String decode(String segment) {
        return segment.indexOf('%') < 0
                ? segment
                : URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
