package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jspecify.annotations.Nullable;

/**
 * A translator of answers that are never streamed (images, speech, rerank): each whole body or error body goes
 * through one codec call, which owns nothing of it; the status and usage that call reports are the client's.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
abstract class WholeBodyTranslator implements ResponseTranslator {
    private int translatedStatus = -1;
    private @Nullable Usage usage;

    /** Translates a whole successful answer; {@code body} is released by the caller. */
    abstract TranslatedBody translate(ByteBufAllocator alloc, ByteBuf body);

    /** Translates a whole error answer; {@code body} is released by the caller. */
    abstract TranslatedBody translate(ByteBufAllocator alloc, int status, ByteBuf body);

    @Override
    public final ByteBuf translateBody(ByteBufAllocator alloc, ByteBuf body) {
        try {
            return keep(translate(alloc, body));
        } finally {
            body.release();
        }
    }

    @Override
    public final ByteBuf translateError(ByteBufAllocator alloc, int status, ByteBuf body) {
        try {
            return keep(translate(alloc, status, body));
        } finally {
            body.release();
        }
    }

    @Override
    public final int clientStatus(int providerStatus) {
        return translatedStatus < 0 ? providerStatus : translatedStatus;
    }

    /** The status of the last translation; -1 before one. */
    final int translatedStatus() {
        return translatedStatus;
    }

    /** Never called: these requests are not streamed, so no stream is framed. */
    @Override
    public final SseEventFramer.Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
        return SseEventFramer.Decision.DROP;
    }

    @Override
    public final @Nullable ByteBuf finishStream(ByteBufAllocator alloc) {
        return null;
    }

    @Override
    public final @Nullable Usage usage() {
        return usage;
    }

    private ByteBuf keep(TranslatedBody translated) {
        translatedStatus = translated.status();
        usage = translated.usage();
        return translated.body();
    }
}
