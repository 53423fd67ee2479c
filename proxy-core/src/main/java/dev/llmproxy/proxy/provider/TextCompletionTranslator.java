package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.openai.TextCompletions;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.sse.SseEvents;
import dev.llmproxy.codec.sse.StreamFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jspecify.annotations.Nullable;

/**
 * The answer of a text completion bridged through chat: the provider's answer is put into the chat shape by the chat
 * adapter's own translator, then into the {@code text_completion} shape by {@link TextCompletions}, whole or one
 * chunk at a time (each in the visit that delivered its source, so nothing waits for the next read). Errors keep the
 * chat translator's OpenAI error, the same object on both endpoints.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
final class TextCompletionTranslator implements ResponseTranslator {
    private final ResponseTranslator chat;

    /** @param chat the chat adapter's translator into the chat shape */
    TextCompletionTranslator(ResponseTranslator chat) {
        this.chat = requireNonNull(chat, "chat");
    }

    @Override
    public ByteBuf translateBody(ByteBufAllocator alloc, ByteBuf body) {
        ByteBuf chatBody = chat.translateBody(alloc, body);
        if (chat.clientStatus(200) >= 300) {
            return chatBody;
        }
        try {
            ByteBuf text = TextCompletions.fromChat(alloc, chatBody, chatBody.readerIndex(), chatBody.readableBytes());
            return text != null ? text : chatBody.retain();
        } finally {
            chatBody.release();
        }
    }

    @Override
    public ByteBuf translateError(ByteBufAllocator alloc, int status, ByteBuf body) {
        return chat.translateError(alloc, status, body);
    }

    @Override
    public int clientStatus(int providerStatus) {
        return chat.clientStatus(providerStatus);
    }

    @Override
    public SseEventFramer.Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
        SseEventFramer.Decision decision = chat.onEvent(data, index, length, chunks -> {
            try {
                emit(out, TextCompletions.fromChatEvents(chunks.alloc(), chunks));
            } finally {
                chunks.release();
            }
        });
        if (decision != SseEventFramer.Decision.FORWARD) {
            return decision;
        }
        // The provider's event is already a chat chunk.
        ByteBuf text = TextCompletions.fromChat(data.alloc(), data, index, length);
        if (text == null) {
            return SseEventFramer.Decision.FORWARD;
        }
        try {
            out.emit(SseEvents.data(data.alloc(), text));
        } finally {
            text.release();
        }
        return SseEventFramer.Decision.REPLACE;
    }

    @Override
    public @Nullable StreamFramer newStreamFramer(ByteBufAllocator alloc, @Nullable String contentType) {
        StreamFramer framer = chat.newStreamFramer(alloc, contentType);
        return framer == null ? null
                : new ChatEventsFramer(framer, events -> TextCompletions.fromChatEvents(alloc, events));
    }

    @Override
    public @Nullable ByteBuf finishStream(ByteBufAllocator alloc) {
        ByteBuf end = chat.finishStream(alloc);
        if (end == null) {
            return null;
        }
        try {
            return TextCompletions.fromChatEvents(alloc, end);
        } finally {
            end.release();
        }
    }

    @Override
    public @Nullable Usage usage() {
        return chat.usage();
    }

    private static void emit(SseEventFramer.Emitter out, ByteBuf events) {
        if (events.isReadable()) {
            out.emit(events);
        } else {
            events.release();
        }
    }
}
