package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.anthropic.AnthropicRequestEncoder;
import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.openai.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * Anthropic's Messages API ({@code anthropic/} deployments): OpenAI chat requests are encoded as
 * {@code POST /v1/messages} bodies ({@link AnthropicRequestEncoder}) and the answers, whole or streamed, translated
 * back by an {@link AnthropicTranslator}. Authentication follows LiteLLM: {@code x-api-key}, or
 * {@code authorization: Bearer} for an OAuth token ({@code sk-ant-oat...}, with the OAuth beta) or for
 * {@code ANTHROPIC_AUTH_TOKEN}; {@code anthropic-version: 2023-06-01} on every request.
 *
 * <p>Thread-safety: immutable.
 */
public final class AnthropicAdapter implements ProviderAdapter {
    /** The API version LiteLLM sends, and the only one Anthropic has published. */
    static final AsciiString VERSION = AsciiString.cached("2023-06-01");
    static final AsciiString ANTHROPIC_VERSION = AsciiString.cached("anthropic-version");
    static final AsciiString ANTHROPIC_BETA = AsciiString.cached("anthropic-beta");
    static final AsciiString X_API_KEY = AsciiString.cached("x-api-key");
    private static final AsciiString OAUTH_BETA = AsciiString.cached("oauth-2025-04-20");
    private static final AsciiString BROWSER_ACCESS = AsciiString.cached("anthropic-dangerous-direct-browser-access");
    private static final String MESSAGES_PATH = "/v1/messages";
    private static final String COUNT_TOKENS_PATH = "/count_tokens";

    private final String path;
    private final UpstreamAuth auth;
    private final AnthropicRequestEncoder.Drops drops;

    /**
     * An adapter that drops the OpenAI parameters Anthropic does not take, as if {@code drop_params} were on.
     *
     * @param baseUrl the API base, {@code https://api.anthropic.com} by default; {@code /v1/messages} is appended
     *     unless the base already ends with it (as LiteLLM does)
     * @param auth see {@link #auth(String, String)}
     */
    public AnthropicAdapter(BaseUrl baseUrl, UpstreamAuth auth) {
        this(baseUrl, auth, AnthropicRequestEncoder.Drops.ALL);
    }

    /**
     * @param drops the deployment's {@code drop_params} and {@code additional_drop_params}: without dropping, an
     *     OpenAI parameter Anthropic does not take is refused with LiteLLM's 400
     */
    public AnthropicAdapter(BaseUrl baseUrl, UpstreamAuth auth, AnthropicRequestEncoder.Drops drops) {
        String base = requireNonNull(baseUrl, "baseUrl").basePath();
        this.path = base.endsWith(MESSAGES_PATH) ? base : base + MESSAGES_PATH;
        this.auth = requireNonNull(auth, "auth");
        this.drops = requireNonNull(drops, "drops");
    }

    /**
     * The headers of every Anthropic request: {@code anthropic-version}, and the credentials. An {@code apiKey} goes in
     * {@code x-api-key}, unless it is an OAuth access token ({@code sk-ant-oat...}), which goes in
     * {@code authorization: Bearer} with the OAuth beta and {@code anthropic-dangerous-direct-browser-access: true};
     * without a key, {@code authToken} ({@code ANTHROPIC_AUTH_TOKEN}) goes in {@code authorization: Bearer}. With
     * neither, Anthropic answers 401, which the client gets as an OpenAI error.
     */
    public static UpstreamAuth auth(@Nullable String apiKey, @Nullable String authToken) {
        if (apiKey != null && apiKey.startsWith("sk-ant-oat")) {
            AsciiString bearer = AsciiString.of("Bearer " + apiKey);
            return (request, body) -> {
                HttpHeaders headers = request.headers().set(ANTHROPIC_VERSION, VERSION);
                headers.set(HttpHeaderNames.AUTHORIZATION, bearer).set(BROWSER_ACCESS, "true");
                headers.set(ANTHROPIC_BETA, OAUTH_BETA);
                return true;
            };
        }
        AsciiString name = apiKey != null ? X_API_KEY : HttpHeaderNames.AUTHORIZATION;
        AsciiString value = apiKey != null ? AsciiString.of(apiKey)
                : authToken != null ? AsciiString.of("Bearer " + authToken) : null;
        return (request, body) -> {
            request.headers().set(ANTHROPIC_VERSION, VERSION);
            if (value != null) {
                request.headers().set(name, value);
            }
            return true;
        };
    }

    @Override
    public String requestPath(String upstreamModel, Endpoint endpoint, boolean stream) {
        return endpoint == Endpoint.MESSAGES_COUNT_TOKENS ? path + COUNT_TOKENS_PATH : path;
    }

    /** No: Anthropic reports usage in every stream ({@code message_start} and {@code message_delta}). */
    @Override
    public boolean asksForStreamUsage(Endpoint endpoint, RequestInfo info) {
        return false;
    }

    @Override
    public ByteBuf encodeRequest(
            ByteBufAllocator alloc, ByteBuf body, RequestInfo info, byte[] upstreamModelJson, boolean askForUsage) {
        return AnthropicRequestEncoder.encode(alloc, body, upstreamModelJson, drops);
    }

    /**
     * @throws InvalidRequestException for the endpoints the Messages API has no form of (speech, images,
     *     moderations, rerank)
     */
    @Override
    public ByteBuf encodeRequest(ByteBufAllocator alloc, ByteBuf body, RequestInfo info, Endpoint endpoint,
            byte[] upstreamModelJson, boolean askForUsage) {
        switch (endpoint) {
            case AUDIO_SPEECH, IMAGE_GENERATIONS, MODERATIONS, RERANK -> throw new InvalidRequestException(
                    endpoint.path() + " is not supported for anthropic models", null);
            default -> {
                return encodeRequest(alloc, body, info, upstreamModelJson, askForUsage);
            }
        }
    }

    @Override
    public UpstreamAuth auth() {
        return auth;
    }

    /**
     * Not used: an Anthropic translator needs the request's {@code include_usage} and the clock, which
     * {@link #newTranslator(Endpoint, boolean, RequestInfo, Clock)} has.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public @Nullable ResponseTranslator newTranslator(Endpoint endpoint, boolean stream) {
        throw new UnsupportedOperationException(
                "an Anthropic translator needs the request: use the four-argument form");
    }

    @Override
    public ResponseTranslator newTranslator(Endpoint endpoint, boolean stream, RequestInfo info, Clock clock) {
        return new AnthropicTranslator(clock.millis() / 1000, stream && info.includeUsage());
    }
}
