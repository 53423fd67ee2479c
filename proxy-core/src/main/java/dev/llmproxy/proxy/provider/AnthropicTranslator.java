package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.anthropic.AnthropicErrors;
import dev.llmproxy.codec.anthropic.AnthropicResponses;
import dev.llmproxy.codec.anthropic.AnthropicStreamTranslator;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jspecify.annotations.Nullable;

/**
 * Translates one Anthropic response into the OpenAI shape: whole bodies with {@link AnthropicResponses}, error bodies
 * with {@link AnthropicErrors} (their status mapped as LiteLLM maps it), stream events with an
 * {@link AnthropicStreamTranslator}.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
final class AnthropicTranslator implements ResponseTranslator {
    private final long created;
    private final boolean includeUsage;
    private @Nullable AnthropicStreamTranslator stream;
    private int translatedStatus = -1;
    private @Nullable Usage bodyUsage;

    /**
     * @param created the {@code created} time of the bodies written, epoch seconds
     * @param includeUsage whether a stream ends with a usage chunk (the client's {@code include_usage})
     */
    AnthropicTranslator(long created, boolean includeUsage) {
        this.created = created;
        this.includeUsage = includeUsage;
    }

    @Override
    public ByteBuf translateBody(ByteBufAllocator alloc, ByteBuf body) {
        try {
            return keep(AnthropicResponses.translate(alloc, body, created));
        } finally {
            body.release();
        }
    }

    @Override
    public ByteBuf translateError(ByteBufAllocator alloc, int status, ByteBuf body) {
        try {
            return keep(AnthropicErrors.translate(alloc, status, body));
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
        AnthropicStreamTranslator events = stream;
        return events != null ? events.usage() : bodyUsage;
    }

    private AnthropicStreamTranslator stream(ByteBufAllocator alloc) {
        AnthropicStreamTranslator events = stream;
        if (events == null) {
            events = new AnthropicStreamTranslator(alloc, created, includeUsage);
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
