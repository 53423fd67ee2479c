package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.bedrock.BedrockErrors;
import dev.llmproxy.codec.bedrock.BedrockImages;
import dev.llmproxy.codec.openai.TranslatedBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * An image generation request on a Bedrock image model as its one InvokeModel call ({@link BedrockImages}). It goes
 * the fan-out way with a single call so that Bedrock's chat translation is left alone.
 *
 * <p>Thread-safety: immutable.
 */
final class BedrockImageRequest implements FanOutRequest {
    /** The encoded body: a small JSON, encoded when the request is read so that a bad request is a 400 at once. */
    private final byte[] encoded;
    private final String path;
    private final long createdSeconds;

    /**
     * @param body the client's request; not taken
     * @throws dev.llmproxy.codec.openai.InvalidRequestException when the model cannot take it
     */
    BedrockImageRequest(ByteBuf body, String modelId, String path, long createdSeconds) {
        ByteBuf request = BedrockImages.encode(UnpooledByteBufAllocator.DEFAULT, body, modelId);
        try {
            this.encoded = ByteBufUtil.getBytes(request);
        } finally {
            request.release();
        }
        this.path = requireNonNull(path, "path");
        this.createdSeconds = createdSeconds;
    }

    @Override
    public int calls() {
        return 1;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public ByteBuf encode(ByteBufAllocator alloc, int call) {
        return alloc.buffer(encoded.length).writeBytes(encoded);
    }

    @Override
    public TranslatedBody aggregate(ByteBufAllocator alloc, List<ByteBuf> bodies, List<HttpHeaders> heads) {
        return BedrockImages.translate(alloc, bodies.get(0), createdSeconds);
    }

    @Override
    public TranslatedBody error(ByteBufAllocator alloc, int status, ByteBuf body) {
        return BedrockErrors.translate(alloc, status, body);
    }
}
