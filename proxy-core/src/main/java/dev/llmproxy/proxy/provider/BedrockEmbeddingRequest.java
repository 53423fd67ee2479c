package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.bedrock.BedrockEmbeddings;
import dev.llmproxy.codec.bedrock.BedrockErrors;
import dev.llmproxy.codec.openai.TranslatedBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * An embeddings request on a Bedrock model as its InvokeModel calls ({@link BedrockEmbeddings}): one per input for
 * Titan, one for Cohere; every answer's token count, when its body has none, from Bedrock's
 * {@code X-Amzn-Bedrock-Input-Token-Count} header.
 *
 * <p>Thread-safety: immutable.
 */
final class BedrockEmbeddingRequest implements FanOutRequest {
    private static final String INPUT_TOKENS = "x-amzn-bedrock-input-token-count";

    private final BedrockEmbeddings embeddings;
    private final String model;
    private final String path;

    BedrockEmbeddingRequest(BedrockEmbeddings embeddings, String model, String path) {
        this.embeddings = requireNonNull(embeddings, "embeddings");
        this.model = requireNonNull(model, "model");
        this.path = requireNonNull(path, "path");
    }

    @Override
    public int calls() {
        return embeddings.calls();
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public ByteBuf encode(ByteBufAllocator alloc, int call) {
        return embeddings.encode(alloc, call);
    }

    @Override
    public TranslatedBody aggregate(ByteBufAllocator alloc, List<ByteBuf> bodies, List<HttpHeaders> heads) {
        long[] headerTokens = new long[heads.size()];
        for (int i = 0; i < headerTokens.length; i++) {
            headerTokens[i] = headerTokens(heads.get(i));
        }
        return embeddings.aggregate(alloc, bodies, headerTokens, model);
    }

    @Override
    public TranslatedBody error(ByteBufAllocator alloc, int status, ByteBuf body) {
        return BedrockErrors.translate(alloc, status, body);
    }

    private static long headerTokens(HttpHeaders head) {
        String value = head.get(INPUT_TOKENS);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
