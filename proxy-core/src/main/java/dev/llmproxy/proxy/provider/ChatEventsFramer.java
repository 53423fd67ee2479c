package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.sse.StreamFramer;
import io.netty.buffer.ByteBuf;
import java.util.function.Function;

/**
 * A chat translator's own stream framer (Bedrock's decoder of the binary AWS event stream, which hands back whole
 * OpenAI chunk events) with its output translated once more, for an endpoint bridged through chat (text completions,
 * Anthropic's Messages API): each read's chunks are translated as they come out.
 *
 * <p>Thread-safety: none; confined to the response's event loop, as the framer it wraps.
 */
public final class ChatEventsFramer implements StreamFramer {
    private final StreamFramer chat;
    private final Function<ByteBuf, ByteBuf> translate;

    /**
     * @param chat the chat translator's framer
     * @param translate turns whole chat events (not taken) into the endpoint's events (owned by the caller)
     */
    public ChatEventsFramer(StreamFramer chat, Function<ByteBuf, ByteBuf> translate) {
        this.chat = requireNonNull(chat, "chat");
        this.translate = requireNonNull(translate, "translate");
    }

    @Override
    public ByteBuf frame(ByteBuf chunk) {
        return translated(chat.frame(chunk));
    }

    @Override
    public boolean isOverflowed() {
        return chat.isOverflowed();
    }

    @Override
    public ByteBuf finish() {
        return translated(chat.finish());
    }

    @Override
    public void release() {
        chat.release();
    }

    private ByteBuf translated(ByteBuf chatEvents) {
        try {
            return translate.apply(chatEvents);
        } finally {
            chatEvents.release();
        }
    }
}
