package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.rerank.VoyageRerank;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Translates one Voyage AI rerank answer into Cohere's shape ({@link VoyageRerank}); rerank is never streamed.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
final class VoyageRerankTranslator extends WholeBodyTranslator {
    private final String model;

    VoyageRerankTranslator(String model) {
        this.model = model;
    }

    @Override
    TranslatedBody translate(ByteBufAllocator alloc, ByteBuf body) {
        return VoyageRerank.translate(alloc, body, model);
    }

    @Override
    TranslatedBody translate(ByteBufAllocator alloc, int status, ByteBuf body) {
        return VoyageRerank.translateError(alloc, status, body);
    }
}
