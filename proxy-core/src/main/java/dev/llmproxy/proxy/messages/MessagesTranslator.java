package dev.llmproxy.proxy.messages;

import dev.llmproxy.codec.messages.MessagesErrors;
import dev.llmproxy.codec.messages.MessagesResponses;
import dev.llmproxy.codec.messages.MessagesStream;
import dev.llmproxy.codec.messages.ToolNames;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.sse.StreamFramer;
import dev.llmproxy.proxy.provider.ChatEventsFramer;
import dev.llmproxy.proxy.provider.ResponseTranslator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jspecify.annotations.Nullable;

/**
 * Translates the answer of a translated {@code /v1/messages} attempt into Anthropic's shape. The deployment's own
 * translator (Gemini's, Anthropic-free providers have none) first makes it an OpenAI answer; this one then makes that
 * an Anthropic message ({@link MessagesResponses}), an Anthropic error ({@link MessagesErrors}) or, event by event,
 * Anthropic's stream ({@link MessagesStream}). Every OpenAI event is translated in the call that delivers it, so the
 * client gets each translated event in the read cycle its source arrived in.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
final class MessagesTranslator implements ResponseTranslator {
    private final @Nullable ResponseTranslator openAi;
    private final ToolNames toolNames;
    private @Nullable MessagesStream stream;
    private @Nullable Usage bodyUsage;
    private int translatedStatus = -1;

    /**
     * @param openAi the deployment's translator into the OpenAI shape, or null when it answers in that shape
     * @param toolNames the tool names the request's translation shortened
     */
    MessagesTranslator(@Nullable ResponseTranslator openAi, ToolNames toolNames) {
        this.openAi = openAi;
        this.toolNames = toolNames;
    }

    @Override
    public SseEventFramer.Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
        MessagesStream events = stream(data.alloc());
        ResponseTranslator first = openAi;
        if (first == null) {
            emit(out, events.onChunk(data, index, length));
            return SseEventFramer.Decision.REPLACE;
        }
        SseEventFramer.Decision decision = first.onEvent(data, index, length, chunks -> {
            try {
                emit(out, events.onEvents(chunks));
            } finally {
                chunks.release();
            }
        });
        if (decision == SseEventFramer.Decision.FORWARD) {
            emit(out, events.onChunk(data, index, length));
        }
        return SseEventFramer.Decision.REPLACE;
    }

    /** The deployment's own framer (Bedrock's binary stream), its chat events translated as they come out. */
    @Override
    public @Nullable StreamFramer newStreamFramer(ByteBufAllocator alloc, @Nullable String contentType) {
        ResponseTranslator first = openAi;
        StreamFramer framer = first == null ? null : first.newStreamFramer(alloc, contentType);
        return framer == null ? null : new ChatEventsFramer(framer, events -> stream(alloc).onEvents(events));
    }

    @Override
    public @Nullable ByteBuf finishStream(ByteBufAllocator alloc) {
        MessagesStream events = stream(alloc);
        ByteBuf out = alloc.buffer(256);
        ResponseTranslator first = openAi;
        if (first != null) {
            ByteBuf tail = first.finishStream(alloc);
            if (tail != null) {
                try {
                    append(out, events.onEvents(tail));
                } finally {
                    tail.release();
                }
            }
        }
        ByteBuf end = events.finish();
        if (end != null) {
            append(out, end);
        }
        return out;
    }

    @Override
    public ByteBuf translateBody(ByteBufAllocator alloc, ByteBuf body) {
        ResponseTranslator first = openAi;
        ByteBuf chat = first == null ? body : first.translateBody(alloc, body);
        try {
            int status = first == null ? 200 : first.clientStatus(200);
            if (status >= 400) {
                translatedStatus = status;
                return MessagesErrors.fromOpenAi(alloc, status, chat);
            }
            TranslatedBody translated = MessagesResponses.fromChat(alloc, chat, status, toolNames);
            translatedStatus = translated.status();
            bodyUsage = translated.usage() != null ? translated.usage() : first == null ? null : first.usage();
            return translated.body();
        } finally {
            chat.release();
        }
    }

    @Override
    public ByteBuf translateError(ByteBufAllocator alloc, int status, ByteBuf body) {
        ResponseTranslator first = openAi;
        ByteBuf error = first == null ? body : first.translateError(alloc, status, body);
        try {
            int clientStatus = first == null ? status : first.clientStatus(status);
            translatedStatus = clientStatus;
            return MessagesErrors.fromOpenAi(alloc, clientStatus, error);
        } finally {
            error.release();
        }
    }

    @Override
    public int clientStatus(int providerStatus) {
        return translatedStatus < 0 ? providerStatus : translatedStatus;
    }

    @Override
    public @Nullable Usage usage() {
        MessagesStream events = stream;
        Usage usage = events != null ? events.usage() : bodyUsage;
        ResponseTranslator first = openAi;
        return usage != null || first == null ? usage : first.usage();
    }

    private MessagesStream stream(ByteBufAllocator alloc) {
        MessagesStream events = stream;
        if (events == null) {
            events = new MessagesStream(alloc, toolNames);
            stream = events;
        }
        return events;
    }

    /** Appends {@code events} to {@code out} and releases it. */
    private static void append(ByteBuf out, ByteBuf events) {
        try {
            out.writeBytes(events);
        } finally {
            events.release();
        }
    }

    /** Emits {@code events} when there are any; releases them otherwise. */
    private static void emit(SseEventFramer.Emitter out, ByteBuf events) {
        if (events.isReadable()) {
            out.emit(events);
        } else {
            events.release();
        }
    }
}
