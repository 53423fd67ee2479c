package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.gemini.GeminiErrors;
import dev.llmproxy.codec.gemini.GeminiSpeech;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderValues;
import org.jspecify.annotations.Nullable;

/**
 * Translates the answer to a speech request sent to a Gemini TTS model ({@link GeminiSpeech}): the base64 PCM of a
 * whole {@code generateContent} body becomes the audio the client gets ({@code audio/wav} or {@code audio/pcm}),
 * error bodies become OpenAI errors. Speech is never streamed.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
final class GeminiSpeechTranslator implements ResponseTranslator {
    private final boolean rawPcm;
    private final String exceptionName;
    private int translatedStatus = -1;
    private @Nullable Usage usage;

    GeminiSpeechTranslator(boolean rawPcm, String exceptionName) {
        this.rawPcm = rawPcm;
        this.exceptionName = exceptionName;
    }

    @Override
    public ByteBuf translateBody(ByteBufAllocator alloc, ByteBuf body) {
        try {
            return keep(GeminiSpeech.translate(alloc, body, rawPcm, exceptionName));
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
    public CharSequence bodyContentType() {
        return translatedStatus == 200 ? GeminiSpeech.contentType(rawPcm) : HttpHeaderValues.APPLICATION_JSON;
    }

    /** Never called: a speech request is not streamed, so no stream is framed. */
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
