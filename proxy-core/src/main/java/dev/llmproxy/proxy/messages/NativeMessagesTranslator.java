package dev.llmproxy.proxy.messages;

import dev.llmproxy.codec.messages.MessagesUsage;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.proxy.provider.ResponseTranslator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jspecify.annotations.Nullable;

/**
 * The "translator" of a {@code /v1/messages} attempt on a deployment that speaks the Messages API: bodies, errors
 * and stream events go to the client as the provider sent them (Anthropic's shape is what the client asked for, 529
 * included); only the usage is read, from the whole message or from the stream's {@code message_start} and
 * {@code message_delta} events.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
final class NativeMessagesTranslator implements ResponseTranslator {
    /** How far into an event's data its {@code "type"} is looked for: Anthropic writes it first. */
    private static final int TYPE_WINDOW = 40;

    private final MessagesUsage usage = new MessagesUsage();

    @Override
    public SseEventFramer.Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
        if (carriesUsage(data, index, length)) {
            usage.read(data, index, length);
        }
        return SseEventFramer.Decision.FORWARD;
    }

    /** The body as it is; its usage read. */
    /** Anthropic's own stream reaches an Anthropic client as it is, pings and comments included. */
    @Override
    public boolean keepsOtherEvents() {
        return true;
    }

    @Override
    public ByteBuf translateBody(ByteBufAllocator alloc, ByteBuf body) {
        usage.read(body, body.readerIndex(), body.readableBytes());
        return body;
    }

    /** The provider's error as it is: the client speaks Anthropic's API. */
    @Override
    public ByteBuf translateError(ByteBufAllocator alloc, int status, ByteBuf body) {
        return body;
    }

    @Override
    public @Nullable ByteBuf finishStream(ByteBufAllocator alloc) {
        return null;
    }

    @Override
    public @Nullable Usage usage() {
        return usage.usage();
    }

    /** Whether the event is a {@code message_start} or {@code message_delta}, the two that carry usage. */
    private static boolean carriesUsage(ByteBuf data, int index, int length) {
        int end = index + Math.min(length, TYPE_WINDOW);
        for (int i = index; i + 8 <= end; i++) {
            if (data.getByte(i) == 'm' && data.getByte(i + 1) == 'e' && data.getByte(i + 2) == 's'
                    && data.getByte(i + 3) == 's' && data.getByte(i + 4) == 'a' && data.getByte(i + 5) == 'g'
                    && data.getByte(i + 6) == 'e' && data.getByte(i + 7) == '_') {
                return true;
            }
        }
        return false;
    }
}
