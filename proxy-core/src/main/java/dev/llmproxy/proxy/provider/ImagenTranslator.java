package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.gemini.GeminiErrors;
import dev.llmproxy.codec.gemini.ImagenImages;
import dev.llmproxy.codec.openai.TranslatedBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Translates the answer to an image generation request sent to an Imagen model's {@code :predict}
 * ({@link ImagenImages}): the predictions' base64 images become OpenAI's {@code data[].b64_json}, error bodies OpenAI
 * errors. Imagen answers whole; it has no usage in tokens.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
final class ImagenTranslator extends WholeBodyTranslator {
    private final long created;
    private final String exceptionName;

    /**
     * @param created the answer's {@code created}, in seconds
     * @param exceptionName {@code VertexAI} or {@code Gemini}, for error messages
     */
    ImagenTranslator(long created, String exceptionName) {
        this.created = created;
        this.exceptionName = exceptionName;
    }

    @Override
    TranslatedBody translate(ByteBufAllocator alloc, ByteBuf body) {
        return ImagenImages.translate(alloc, body, created, exceptionName);
    }

    @Override
    TranslatedBody translate(ByteBufAllocator alloc, int status, ByteBuf body) {
        return GeminiErrors.translate(alloc, status, body, exceptionName);
    }
}
