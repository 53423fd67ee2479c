package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.anthropic.AnthropicRequestEncoder;
import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.openai.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * Claude on Vertex AI ({@code vertex_ai/claude-...} deployments): Anthropic's Messages API behind Vertex AI's
 * {@code :rawPredict} and {@code :streamRawPredict} methods (provider spec, section 4.4). The body is the Anthropic
 * request without {@code model} and with {@code anthropic_version: vertex-2023-10-16}; authentication is the service
 * account's bearer token (no {@code x-api-key}, no {@code anthropic-version} header); the answers are Anthropic's and
 * are translated by the same {@link AnthropicTranslator}.
 *
 * <p>Thread-safety: immutable.
 */
public final class VertexAnthropicAdapter implements ProviderAdapter {
    private final @Nullable String modelsPath;
    private final @Nullable String fixedModelPath;
    private final UpstreamAuth auth;
    private final AnthropicRequestEncoder.Drops drops;

    /**
     * @param baseUrl {@code https://<location>-aiplatform.googleapis.com} by default; a base that already names a model
     *     ({@code .../models/<model>}) is used as it is
     * @param auth the service account's token source
     * @param drops the deployment's {@code drop_params} and {@code additional_drop_params}
     */
    public VertexAnthropicAdapter(BaseUrl baseUrl, String project, String location, UpstreamAuth auth,
            AnthropicRequestEncoder.Drops drops) {
        String base = requireNonNull(baseUrl, "baseUrl").basePath();
        boolean named = base.contains("/models/");
        this.fixedModelPath = named ? base : null;
        this.modelsPath = named ? null : base + "/v1/projects/" + segment(project) + "/locations/" + segment(location)
                + "/publishers/anthropic/models/";
        this.auth = requireNonNull(auth, "auth");
        this.drops = requireNonNull(drops, "drops");
    }

    @Override
    public String requestPath(String upstreamModel, Endpoint endpoint, boolean stream) {
        if (endpoint == Endpoint.MESSAGES_COUNT_TOKENS) {
            // One counting model per publisher; the body names the model counted for.
            String models = fixedModelPath != null
                    ? fixedModelPath.substring(0, fixedModelPath.lastIndexOf("/models/") + "/models/".length())
                    : modelsPath;
            return models + "count-tokens:rawPredict";
        }
        String path = fixedModelPath != null ? fixedModelPath : modelsPath + segment(upstreamModel);
        return path + (stream ? ":streamRawPredict" : ":rawPredict");
    }

    /** No: Anthropic reports usage in every stream. */
    @Override
    public boolean asksForStreamUsage(Endpoint endpoint, RequestInfo info) {
        return false;
    }

    /**
     * Not used: the request's endpoint decides whether it can be sent at all, which
     * {@link #encodeRequest(ByteBufAllocator, ByteBuf, RequestInfo, Endpoint, byte[], boolean)} has.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public ByteBuf encodeRequest(
            ByteBufAllocator alloc, ByteBuf body, RequestInfo info, byte[] upstreamModelJson, boolean askForUsage) {
        throw new UnsupportedOperationException("use the six-argument form");
    }

    @Override
    public ByteBuf encodeRequest(ByteBufAllocator alloc, ByteBuf body, RequestInfo info, Endpoint endpoint,
            byte[] upstreamModelJson, boolean askForUsage) {
        if (endpoint != Endpoint.CHAT_COMPLETIONS) {
            throw new InvalidRequestException("Claude on Vertex AI answers chat completions only; use "
                    + "/v1/chat/completions", null);
        }
        return AnthropicRequestEncoder.encode(alloc, body, null, drops);
    }

    @Override
    public UpstreamAuth auth() {
        return auth;
    }

    /**
     * Not used: an Anthropic translator needs the request's {@code include_usage} and the clock.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public @Nullable ResponseTranslator newTranslator(Endpoint endpoint, boolean stream) {
        throw new UnsupportedOperationException("use the four-argument form");
    }

    @Override
    public ResponseTranslator newTranslator(Endpoint endpoint, boolean stream, RequestInfo info, Clock clock) {
        return new AnthropicTranslator(clock.millis() / 1000, stream && info.includeUsage());
    }

    /** A path segment: encoded, but with {@code @} kept (Vertex AI's versioned model ids, as LiteLLM sends them). */
    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("%40", "@");
    }
}
