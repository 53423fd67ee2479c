package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.gemini.GeminiErrors;
import dev.llmproxy.codec.gemini.GeminiResponses;
import dev.llmproxy.codec.gemini.GeminiStreamTranslator;
import dev.llmproxy.codec.gemini.VertexEmbeddings;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jspecify.annotations.Nullable;

/**
 * Translates one Gemini response into the OpenAI shape: whole chat and embedding bodies with {@link GeminiResponses},
 * error bodies with {@link GeminiErrors} (their status mapped as LiteLLM maps it), stream events with a
 * {@link GeminiStreamTranslator}.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
final class GeminiTranslator implements ResponseTranslator {
    private final long created;
    private final String model;
    private final boolean includeUsage;
    private final String exceptionName;
    private final boolean embeddings;
    private @Nullable GeminiStreamTranslator stream;
    private int translatedStatus = -1;
    private @Nullable Usage bodyUsage;

    /**
     * @param created the {@code created} time of the bodies written, epoch seconds
     * @param model the model reported when Gemini's answer names none
     * @param includeUsage whether a stream ends with a usage chunk (the client's {@code include_usage})
     * @param exceptionName {@code Gemini} or {@code VertexAI}, for error messages
     * @param embeddings whether the response is a {@code batchEmbedContents} one
     */
    GeminiTranslator(long created, String model, boolean includeUsage, String exceptionName, boolean embeddings) {
        this.created = created;
        this.model = model;
        this.includeUsage = includeUsage;
        this.exceptionName = exceptionName;
        this.embeddings = embeddings;
    }

    @Override
    public ByteBuf translateBody(ByteBufAllocator alloc, ByteBuf body) {
        try {
            if (embeddings) {
                // Vertex AI embeds through :predict, AI Studio through :batchEmbedContents.
                return keep(exceptionName.equals("VertexAI") ? VertexEmbeddings.translate(alloc, body, model,
                        exceptionName) : GeminiResponses.translateEmbeddings(alloc, body, model, exceptionName));
            }
            return keep(GeminiResponses.translate(alloc, body, created, model, exceptionName));
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

    @Override
    public SseEventFramer.Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
        return stream(data.alloc()).onEvent(data, index, length, out);
    }

    @Override
    public @Nullable ByteBuf finishStream(ByteBufAllocator alloc) {
        return stream(alloc).finish();
    }

    @Override
    public @Nullable Usage usage() {
        GeminiStreamTranslator events = stream;
        return events != null ? events.usage() : bodyUsage;
    }

    private GeminiStreamTranslator stream(ByteBufAllocator alloc) {
        GeminiStreamTranslator events = stream;
        if (events == null) {
            events = new GeminiStreamTranslator(alloc, created, model, includeUsage, exceptionName);
            stream = events;
        }
        return events;
    }

    private ByteBuf keep(TranslatedBody translated) {
        translatedStatus = translated.status();
        bodyUsage = translated.usage();
        return translated.body();
    }
}
