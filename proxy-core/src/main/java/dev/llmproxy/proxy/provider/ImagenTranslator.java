package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.gemini.GeminiErrors;
import dev.llmproxy.codec.gemini.ImagenImages;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jspecify.annotations.Nullable;

/**
 * Translates the answer to an image generation request sent to an Imagen model's {@code :predict}
 * ({@link ImagenImages}): the predictions' base64 images become OpenAI's {@code data[].b64_json}, error bodies OpenAI
 * errors. Imagen answers whole; it has no usage in tokens.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
final class ImagenTranslator implements ResponseTranslator {
    private final long created;
    private final String exceptionName;
    private int translatedStatus = -1;

    /**
     * @param created the answer's {@code created}, in seconds
     * @param exceptionName {@code VertexAI} or {@code Gemini}, for error messages
     */
    ImagenTranslator(long created, String exceptionName) {
        this.created = created;
        this.exceptionName = exceptionName;
    }

    @Override
    public ByteBuf translateBody(ByteBufAllocator alloc, ByteBuf body) {
        try {
            return keep(ImagenImages.translate(alloc, body, created, exceptionName));
        } finally {
            body.release();
        }
    }

    @Override
    public ByteBuf translateError(ByteBufAllocator alloc, int status, ByteBuf body) {
        try {
            return keep(GeminiErrors.translate(alloc, status, body, exceptionName));
        } finally {
            body.release();
        }
    }

    @Override
    public int clientStatus(int providerStatus) {
        return translatedStatus < 0 ? providerStatus : translatedStatus;
    }

    /** Never called: an Imagen request is not streamed, so no stream is framed. */
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
        return null;
    }

    private ByteBuf keep(TranslatedBody translated) {
        translatedStatus = translated.status();
        return translated.body();
    }
}
