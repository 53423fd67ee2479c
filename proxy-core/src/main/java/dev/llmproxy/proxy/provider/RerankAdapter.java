package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.json.RequestRewriter;
import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.rerank.VoyageRerank;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The rerank-only providers: Cohere ({@code cohere/}, {@code https://api.cohere.com/v2/rerank}), Jina AI
 * ({@code jina_ai/}, {@code https://api.jina.ai/v1/rerank}) and Infinity ({@code infinity/}, {@code <api_base>/rerank})
 * take Cohere's rerank request as the client sends it to {@code /v1/rerank} (the model rewritten) and answer in its
 * shape, which is relayed untouched; Voyage AI ({@code voyage/}, {@code https://api.voyageai.com/v1/rerank}) gets
 * the request and gives the answer in its own shape, translated by {@link VoyageRerank}. Their other APIs (Cohere's
 * chat and embeddings, Jina's and Voyage's embeddings) are refused with a 400 naming the one endpoint served.
 *
 * <p>Thread-safety: immutable.
 */
public final class RerankAdapter implements ProviderAdapter {
    private final String path;
    private final String provider;
    private final UpstreamAuth auth;
    private final String model;
    private final boolean voyage;

    /**
     * @param baseUrl where {@code /rerank} hangs
     * @param provider the LiteLLM prefix: {@code voyage} is translated, the others relayed
     * @param auth the key as a bearer token, or {@link UpstreamAuth#NONE}
     * @param model the deployment's upstream model, for the id of a translated answer
     */
    public RerankAdapter(BaseUrl baseUrl, String provider, UpstreamAuth auth, String model) {
        this.path = requireNonNull(baseUrl, "baseUrl").basePath() + Endpoint.RERANK.path();
        this.provider = requireNonNull(provider, "provider");
        this.auth = requireNonNull(auth, "auth");
        this.model = requireNonNull(model, "model");
        this.voyage = provider.equals("voyage");
    }

    /** The rerank path, whatever the endpoint: the others are refused before anything is sent. */
    @Override
    public String requestPath(String upstreamModel, Endpoint endpoint, boolean stream) {
        return path;
    }

    @Override
    public boolean asksForStreamUsage(Endpoint endpoint, RequestInfo info) {
        return false;
    }

    /**
     * Not used: whether a request can go depends on its endpoint, which
     * {@link #encodeRequest(ByteBufAllocator, ByteBuf, RequestInfo, Endpoint, byte[], boolean)} has.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public ByteBuf encodeRequest(
            ByteBufAllocator alloc, ByteBuf body, RequestInfo info, byte[] upstreamModelJson, boolean askForUsage) {
        throw new UnsupportedOperationException("a rerank request needs its endpoint: use the six-argument form");
    }

    /** @throws InvalidRequestException for every endpoint but rerank */
    @Override
    public ByteBuf encodeRequest(ByteBufAllocator alloc, ByteBuf body, RequestInfo info, Endpoint endpoint,
            byte[] upstreamModelJson, boolean askForUsage) {
        if (endpoint != Endpoint.RERANK) {
            throw new InvalidRequestException(endpoint.path() + " is not supported for " + provider
                    + " models by this llmproxy version; they serve /v1/rerank", null);
        }
        if (voyage) {
            return VoyageRerank.encode(alloc, body,
                    new String(upstreamModelJson, 1, upstreamModelJson.length - 2, StandardCharsets.UTF_8));
        }
        return RequestRewriter.rewrite(alloc, body, info, upstreamModelJson, false);
    }

    @Override
    public UpstreamAuth auth() {
        return auth;
    }

    @Override
    public @Nullable ResponseTranslator newTranslator(Endpoint endpoint, boolean stream) {
        return voyage ? new VoyageRerankTranslator(model) : null;
    }
}
