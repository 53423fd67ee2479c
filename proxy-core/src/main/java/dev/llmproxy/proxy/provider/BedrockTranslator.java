package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.anthropic.AnthropicResponses;
import dev.llmproxy.codec.bedrock.BedrockErrors;
import dev.llmproxy.codec.bedrock.BedrockStreamVisitor;
import dev.llmproxy.codec.bedrock.ConverseResponses;
import dev.llmproxy.codec.bedrock.ConverseStreamTranslator;
import dev.llmproxy.codec.bedrock.EventStreamDecoder;
import dev.llmproxy.codec.bedrock.InvokeStreamTranslator;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.sse.StreamFramer;
import dev.llmproxy.codec.translate.ChunkWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jspecify.annotations.Nullable;

/**
 * Translates one Bedrock response into the OpenAI shape: whole Converse bodies with {@link ConverseResponses}, error
 * bodies with {@link BedrockErrors}, and a ConverseStream body through its own {@link EventStreamDecoder} (the AWS
 * event stream is binary, not SSE) feeding a {@link ConverseStreamTranslator}; InvokeModel's answers for Claude
 * with {@link AnthropicResponses} and an {@link InvokeStreamTranslator}.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
final class BedrockTranslator implements ResponseTranslator {
    /** Bedrock's events are small; a longer length is a corrupt stream, not a message to wait for. */
    private static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
    private static final String EVENT_STREAM = "application/vnd.amazon.eventstream";

    private final long created;
    private final String id;
    private final String model;
    private final boolean includeUsage;
    private final boolean invoke;
    private @Nullable BedrockStreamVisitor stream;
    private @Nullable EventStreamDecoder decoder;
    private int translatedStatus = -1;
    private @Nullable Usage bodyUsage;

    /**
     * @param created the {@code created} time of the bodies written, epoch seconds
     * @param id the completion's id (Bedrock's answers carry none)
     * @param model the model the answers report
     * @param includeUsage whether a stream ends with a usage chunk (the client's {@code include_usage})
     * @param invoke whether the answers are InvokeModel's for Claude (Anthropic's format) rather than Converse's
     */
    BedrockTranslator(long created, String id, String model, boolean includeUsage, boolean invoke) {
        this.created = created;
        this.id = id;
        this.model = model;
        this.includeUsage = includeUsage;
        this.invoke = invoke;
    }

    @Override
    public ByteBuf translateBody(ByteBufAllocator alloc, ByteBuf body) {
        try {
            return keep(invoke ? AnthropicResponses.translate(alloc, body, created)
                    : ConverseResponses.translate(alloc, body, id, created, model));
        } finally {
            body.release();
        }
    }

    @Override
    public ByteBuf translateError(ByteBufAllocator alloc, int status, ByteBuf body) {
        try {
            return keep(BedrockErrors.translate(alloc, status, body));
        } finally {
            body.release();
        }
    }

    @Override
    public int clientStatus(int providerStatus) {
        return translatedStatus < 0 ? providerStatus : translatedStatus;
    }

    @Override
    public @Nullable StreamFramer newStreamFramer(ByteBufAllocator alloc, @Nullable String contentType) {
        if (contentType == null || !contentType.regionMatches(true, 0, EVENT_STREAM, 0, EVENT_STREAM.length())) {
            return null;
        }
        BedrockStreamVisitor events = invoke ? new InvokeStreamTranslator(alloc, created, includeUsage)
                : new ConverseStreamTranslator(new ChunkWriter(alloc, created), id, model, includeUsage);
        EventStreamDecoder frames = new EventStreamDecoder(alloc, MAX_MESSAGE_BYTES, events);
        stream = events;
        decoder = frames;
        return frames;
    }

    /** Never called for Bedrock, whose stream {@link #newStreamFramer} decodes: an SSE event has no meaning here. */
    @Override
    public SseEventFramer.Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
        return SseEventFramer.Decision.REPLACE;
    }

    @Override
    public @Nullable ByteBuf finishStream(ByteBufAllocator alloc) {
        BedrockStreamVisitor events = stream;
        EventStreamDecoder frames = decoder;
        if (events == null || frames == null) {
            return null;
        }
        return events.finish(frames.endedCleanly());
    }

    @Override
    public @Nullable Usage usage() {
        BedrockStreamVisitor events = stream;
        return events != null ? events.usage() : bodyUsage;
    }

    private ByteBuf keep(TranslatedBody translated) {
        translatedStatus = translated.status();
        bodyUsage = translated.usage();
        return translated.body();
    }
}
