package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.gemini.GeminiErrors;
import dev.llmproxy.codec.gemini.GeminiSpeech;
import dev.llmproxy.codec.openai.TranslatedBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderValues;

/**
 * Translates the answer to a speech request sent to a Gemini TTS model ({@link GeminiSpeech}): the base64 PCM of a
 * whole {@code generateContent} body becomes the audio the client gets ({@code audio/wav} or {@code audio/pcm}),
 * error bodies become OpenAI errors. Speech is never streamed.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
final class GeminiSpeechTranslator extends WholeBodyTranslator {
    private final boolean rawPcm;
    private final String exceptionName;

    GeminiSpeechTranslator(boolean rawPcm, String exceptionName) {
        this.rawPcm = rawPcm;
        this.exceptionName = exceptionName;
    }

    @Override
    TranslatedBody translate(ByteBufAllocator alloc, ByteBuf body) {
        return GeminiSpeech.translate(alloc, body, rawPcm, exceptionName);
    }

    @Override
    TranslatedBody translate(ByteBufAllocator alloc, int status, ByteBuf body) {
        return GeminiErrors.translate(alloc, status, body, exceptionName);
    }

    @Override
    public CharSequence bodyContentType() {
        return translatedStatus() == 200 ? GeminiSpeech.contentType(rawPcm) : HttpHeaderValues.APPLICATION_JSON;
    }
}
