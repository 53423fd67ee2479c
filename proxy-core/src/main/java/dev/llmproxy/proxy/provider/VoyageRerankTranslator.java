package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.rerank.VoyageRerank;
import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jspecify.annotations.Nullable;

/**
 * Translates one Voyage AI rerank answer into Cohere's shape ({@link VoyageRerank}); rerank is never streamed.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
final class VoyageRerankTranslator implements ResponseTranslator {
    private final String model;
    private int translatedStatus = -1;
    private @Nullable Usage usage;

    VoyageRerankTranslator(String model) {
        this.model = model;
    }

    @Override
    public ByteBuf translateBody(ByteBufAllocator alloc, ByteBuf body) {
        try {
            return keep(VoyageRerank.translate(alloc, body, model));
        } finally {
            body.release();
        }
    }

    @Override
    public ByteBuf translateError(ByteBufAllocator alloc, int status, ByteBuf body) {
        try {
            return keep(VoyageRerank.translateError(alloc, status, body));
        } finally {
            body.release();
        }
    }

    @Override
    public int clientStatus(int providerStatus) {
        return translatedStatus < 0 ? providerStatus : translatedStatus;
    }

    /** Never called: a rerank request is not streamed, so no stream is framed. */
    @Override
    public SseEventFramer.Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
        return SseEventFramer.Decision.DROP;
    }

    @Override
    public @Nullable ByteBuf finishStream(ByteBufAllocator alloc) {
        return null;
    }

    @Override
    public @Nullable Usage usage() {
        return usage;
    }

    private ByteBuf keep(TranslatedBody translated) {
        translatedStatus = translated.status();
        usage = translated.usage();
        return translated.body();
    }
}
