package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.anthropic.AnthropicRequestEncoder;
import dev.llmproxy.codec.bedrock.BedrockEmbeddings;
import dev.llmproxy.codec.bedrock.ConverseRequestEncoder;
import dev.llmproxy.codec.bedrock.InvokeRequests;
import dev.llmproxy.codec.bedrock.MediaUrlsNeeded;
import dev.llmproxy.codec.bedrock.SigV4;
import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.openai.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * AWS Bedrock's Converse API ({@code bedrock/} and {@code bedrock/converse/} deployments), and InvokeModel for Claude
 * in Anthropic's own format ({@code bedrock/invoke/anthropic...}: the Messages request with
 * {@code anthropic_version: bedrock-2023-05-31}, its answers and stream events read by the Anthropic translators, the
 * stream inside AWS event-stream frames). Converse: OpenAI chat requests are
 * encoded as {@code POST /model/{modelId}/converse} or {@code /converse-stream} bodies
 * ({@link ConverseRequestEncoder}), signed by a {@link BedrockAuth}, and the answers translated back by a
 * {@link BedrockTranslator}: whole bodies, error bodies, and ConverseStream's binary event stream into OpenAI SSE.
 * Images given by URL are downloaded first ({@link MediaDownloads}, off the event loop): the encoding is then
 * deferred ({@link DeferredEncoding}). Embeddings go through InvokeModel, several calls for one request on Titan
 * ({@link FanOutAdapter}).
 *
 * <p>The model id is URL-encoded with no safe characters, as LiteLLM does ({@code :} → {@code %3A}, {@code /} →
 * {@code %2F}), so cross-region inference profiles ({@code us.anthropic.claude-...}) and ARNs go through unchanged.
 *
 * <p>Thread-safety: immutable.
 */
public final class BedrockAdapter implements ProviderAdapter, FanOutAdapter {
    private static final String CONVERSE_ROUTE = "converse/";
    private static final String INVOKE_ROUTE = "invoke/";

    private final String basePath;
    private final String upstreamModel;
    private final String model;
    private final UpstreamAuth auth;
    private final boolean dropParams;
    private final Set<String> additionalDropParams;
    private final MediaDownloads media;

    /**
     * @param baseUrl the runtime endpoint, {@code https://bedrock-runtime.<region>.amazonaws.com} by default
     * @param upstreamModel the model after {@code bedrock/}, reported in the answers (for a wildcard deployment, the
     *     client's model is)
     * @param auth SigV4 ({@link BedrockAuth}) or a bearer token
     * @param dropParams the deployment's {@code drop_params}
     * @param additionalDropParams the deployment's {@code additional_drop_params}
     * @param media downloads the images a request names by URL (Converse takes bytes only)
     */
    public BedrockAdapter(BaseUrl baseUrl, String upstreamModel, UpstreamAuth auth, boolean dropParams,
            Set<String> additionalDropParams, MediaDownloads media) {
        this.basePath = requireNonNull(baseUrl, "baseUrl").basePath();
        this.upstreamModel = requireNonNull(upstreamModel, "upstreamModel");
        this.model = modelId(upstreamModel);
        this.auth = requireNonNull(auth, "auth");
        this.dropParams = dropParams;
        this.additionalDropParams = Set.copyOf(additionalDropParams);
        this.media = requireNonNull(media, "media");
    }

    /**
     * The Bedrock model id of a {@code bedrock/...} model: LiteLLM's {@code converse/} or {@code invoke/} route
     * prefix removed.
     */
    public static String modelId(String upstreamModel) {
        return upstreamModel.startsWith(CONVERSE_ROUTE) ? upstreamModel.substring(CONVERSE_ROUTE.length())
                : upstreamModel.startsWith(INVOKE_ROUTE) ? upstreamModel.substring(INVOKE_ROUTE.length())
                : upstreamModel;
    }

    /** Whether {@code upstreamModel} goes through InvokeModel in its native format ({@code bedrock/invoke/...}). */
    private static boolean isInvoke(String upstreamModel) {
        return upstreamModel.startsWith(INVOKE_ROUTE);
    }

    @Override
    public String requestPath(String upstreamModel, Endpoint endpoint, boolean stream) {
        boolean invoke = isInvoke(upstreamModel) || fansOut(endpoint);
        String verb = invoke ? (stream ? "/invoke-with-response-stream" : "/invoke")
                : stream ? "/converse-stream" : "/converse";
        return basePath + "/model/" + SigV4.uriEncode(modelId(upstreamModel)) + verb;
    }

    /** No: ConverseStream always ends with a {@code metadata} event carrying the usage. */
    @Override
    public boolean asksForStreamUsage(Endpoint endpoint, RequestInfo info) {
        return false;
    }

    @Override
    public ByteBuf encodeRequest(
            ByteBufAllocator alloc, ByteBuf body, RequestInfo info, byte[] upstreamModelJson, boolean askForUsage) {
        throw new UnsupportedOperationException("a Bedrock request needs its endpoint: use the six-argument form");
    }

    @Override
    public ByteBuf encodeRequest(ByteBufAllocator alloc, ByteBuf body, RequestInfo info, Endpoint endpoint,
            byte[] upstreamModelJson, boolean askForUsage) {
        String named = new String(upstreamModelJson, 1, Math.max(0, upstreamModelJson.length - 2),
                StandardCharsets.UTF_8);
        String upstream = modelId(named);
        if (endpoint == Endpoint.EMBEDDINGS) {
            return oneCall(alloc, BedrockEmbeddings.read(body, upstream, dropParams));
        }
        if (endpoint != Endpoint.CHAT_COMPLETIONS) {
            throw new InvalidRequestException("Only /chat/completions, /embeddings and /images/generations are "
                    + "supported on Bedrock", null);
        }
        if (isInvoke(named)) {
            return invokeBody(alloc, body, upstream);
        }
        try {
            return ConverseRequestEncoder.encode(alloc, body, upstream, dropParams, additionalDropParams);
        } catch (MediaUrlsNeeded needed) {
            // The body is the call's and may be released before the downloads end: the slow path keeps a copy.
            byte[] copy = ByteBufUtil.getBytes(body);
            throw new DeferredEncoding(media.dataUrls(needed.urls()).thenApply(downloaded ->
                    ConverseRequestEncoder.encode(alloc, Unpooled.wrappedBuffer(copy), upstream, dropParams,
                            additionalDropParams, downloaded)));
        }
    }

    /**
     * An embeddings request that is a single InvokeModel call (one input, or Cohere's batch), as the health probe
     * sends it; a request of several calls goes through {@link #fanOut} only.
     */
    private static ByteBuf oneCall(ByteBufAllocator alloc, BedrockEmbeddings embeddings) {
        if (embeddings.calls() != 1) {
            throw new InvalidRequestException("this embeddings request takes " + embeddings.calls()
                    + " Bedrock calls", "input");
        }
        return embeddings.encode(alloc, 0);
    }

    /** InvokeModel's body: Claude's Messages request, the only native format llmproxy writes. */
    private ByteBuf invokeBody(ByteBufAllocator alloc, ByteBuf body, String upstream) {
        if (!upstream.contains("anthropic.") && !upstream.contains("claude")) {
            throw new InvalidRequestException("bedrock/invoke/ is supported for Anthropic Claude models only; use "
                    + "bedrock/" + upstream + " (the Converse API) for " + upstream, "model");
        }
        ByteBuf anthropic = AnthropicRequestEncoder.encode(alloc, body, null,
                new AnthropicRequestEncoder.Drops(dropParams, additionalDropParams, "bedrock"));
        try {
            return InvokeRequests.anthropic(alloc, anthropic);
        } finally {
            anthropic.release();
        }
    }

    /**
     * Embeddings: InvokeModel once per input for Titan, once for Cohere ({@link BedrockEmbeddingRequest}); image
     * generation: once ({@link BedrockImageRequest}).
     */
    @Override
    public boolean fansOut(Endpoint endpoint) {
        return endpoint == Endpoint.EMBEDDINGS || endpoint == Endpoint.IMAGE_GENERATIONS;
    }

    @Override
    public FanOutRequest fanOut(ByteBuf body, Endpoint endpoint, String upstreamModel, Clock clock) {
        if (!fansOut(endpoint)) {
            throw new IllegalArgumentException("endpoint: " + endpoint + " (expected: EMBEDDINGS, IMAGE_GENERATIONS)");
        }
        String modelId = modelId(upstreamModel);
        if (endpoint == Endpoint.IMAGE_GENERATIONS) {
            return new BedrockImageRequest(body, modelId, requestPath(modelId, endpoint, false),
                    clock.millis() / 1000);
        }
        return new BedrockEmbeddingRequest(BedrockEmbeddings.read(body, modelId, dropParams), modelId,
                requestPath(modelId, endpoint, false));
    }

    @Override
    public UpstreamAuth auth() {
        return auth;
    }

    /**
     * Not used: a Bedrock translator needs the request's {@code include_usage} and the clock.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public @Nullable ResponseTranslator newTranslator(Endpoint endpoint, boolean stream) {
        throw new UnsupportedOperationException("a Bedrock translator needs the request: use the four-argument form");
    }

    @Override
    public ResponseTranslator newTranslator(Endpoint endpoint, boolean stream, RequestInfo info, Clock clock) {
        String clientModel = info.model();
        String reported = model.contains("*") && clientModel != null ? modelId(clientModel) : model;
        // Bedrock's answers carry no id; LiteLLM makes a random one per response too.
        boolean invoke = isInvoke(model.contains("*") && clientModel != null ? clientModel : upstreamModel);
        return new BedrockTranslator(clock.millis() / 1000, "chatcmpl-" + UUID.randomUUID(), reported,
                stream && info.includeUsage(), invoke);
    }
}
