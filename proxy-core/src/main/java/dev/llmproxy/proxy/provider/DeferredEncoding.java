package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;

/**
 * Thrown by {@link ProviderAdapter#encodeRequest} when the body can only be made after slow work that must not run on
 * the event loop: Bedrock's Converse takes images only as bytes, so the web URLs of a request are downloaded first.
 * The attempt waits for {@link #body()} and sends it; nothing was sent before.
 *
 * <p>Thread-safety: immutable. Stackless: it is an answer, not a fault.
 */
public final class DeferredEncoding extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient CompletionStage<ByteBuf> body;

    /**
     * @param body completes, on any thread, with the encoded body (owned by whoever takes it: the attempt releases it,
     *     also when it has ended meanwhile), or exceptionally, with an
     *     {@link dev.llmproxy.codec.openai.InvalidRequestException} for a 400 the client should read
     */
    public DeferredEncoding(CompletionStage<ByteBuf> body) {
        super("the request body is encoded later", null, false, false);
        this.body = requireNonNull(body, "body");
    }

    /** The encoded body, later. */
    public CompletionStage<ByteBuf> body() {
        return body;
    }
}
