package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.responses.ResponseIds;
import dev.llmproxy.codec.responses.ResponsesBodies;
import dev.llmproxy.codec.responses.ResponsesStreamTranslator;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.sse.StreamFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Rebuilds one bridged answer in the Responses shape: the provider's answer is first put into the chat shape by the
 * chat adapter's own translator (none for OpenAI-compatible providers), then into the Responses shape by
 * {@link ResponsesBodies} or, event by event, a {@link ResponsesStreamTranslator}. Error bodies keep the chat
 * translator's OpenAI error (the Responses API uses the same error object).
 *
 * <p>A chat translator emits whole chat events, one {@code data} line each; each emission is handed straight to the
 * stream translator ({@link ResponsesStreamTranslator#translate(ByteBuf)}, no second framing) while the provider's
 * event is being visited, and the Responses events it gives are emitted at once, so they leave in the read cycle their
 * source arrived in.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
final class ResponsesBridgeTranslator implements ResponseTranslator, RebuiltResponse {
    private final @Nullable ResponseTranslator chat;
    private final long createdAt;
    private final ResponseIds ids;
    private @Nullable ResponsesStreamTranslator stream;
    // The chat translator's emitter: set to the framer's emitter for the duration of one onEvent call only.
    private SseEventFramer.@Nullable Emitter client;
    private final SseEventFramer.Emitter chatEmitter = this::relay;
    private int translatedStatus = -1;
    private @Nullable Usage bodyUsage;
    private @Nullable String rebuiltBody;

    /**
     * @param chat the chat adapter's translator, or {@code null} when its provider answers in the chat shape
     * @param createdAt {@code created_at}, epoch seconds
     */
    ResponsesBridgeTranslator(@Nullable ResponseTranslator chat, long createdAt) {
        this.chat = chat;
        this.createdAt = createdAt;
        // Ids only need to be unique, not reproducible: a 96-bit random token.
        ThreadLocalRandom random = ThreadLocalRandom.current();
        this.ids = new ResponseIds(Long.toHexString(random.nextLong() | Long.MIN_VALUE)
                + Integer.toHexString(random.nextInt() | Integer.MIN_VALUE));
    }

    @Override
    public ByteBuf translateBody(ByteBufAllocator alloc, ByteBuf body) {
        ResponseTranslator inner = chat;
        ByteBuf chatBody = inner == null ? body : inner.translateBody(alloc, body);
        int chatStatus = inner == null ? 200 : inner.clientStatus(200);
        if (chatStatus >= 300) {
            // The chat translator could not read the provider's answer; its error is the client's answer.
            translatedStatus = chatStatus;
            return chatBody;
        }
        try {
            TranslatedBody translated = ResponsesBodies.fromChat(alloc, chatBody, ids, createdAt);
            translatedStatus = translated.status();
            bodyUsage = translated.usage();
            if (translated.status() == 200) {
                rebuiltBody = translated.body().toString(StandardCharsets.UTF_8);
            }
            return translated.body();
        } finally {
            chatBody.release();
        }
    }

    @Override
    public ByteBuf translateError(ByteBufAllocator alloc, int status, ByteBuf body) {
        ResponseTranslator inner = chat;
        if (inner == null) {
            return body;
        }
        ByteBuf error = inner.translateError(alloc, status, body);
        translatedStatus = inner.clientStatus(status);
        return error;
    }

    @Override
    public int clientStatus(int providerStatus) {
        return translatedStatus < 0 ? providerStatus : translatedStatus;
    }

    @Override
    public SseEventFramer.Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
        ResponsesStreamTranslator events = stream(data.alloc());
        ResponseTranslator inner = chat;
        if (inner == null) {
            return events.onChunk(data, index, length, out);
        }
        SseEventFramer.Decision decision;
        client = out;
        try {
            decision = inner.onEvent(data, index, length, chatEmitter);
        } finally {
            client = null;
        }
        if (decision == SseEventFramer.Decision.FORWARD) {
            // The provider's event is already a chat chunk.
            events.onChunk(data, index, length, out);
        }
        return SseEventFramer.Decision.REPLACE;
    }

    /** The chat translator's own framer (Bedrock's binary stream), its chat events translated as they come out. */
    @Override
    public @Nullable StreamFramer newStreamFramer(ByteBufAllocator alloc, @Nullable String contentType) {
        ResponseTranslator inner = chat;
        StreamFramer framer = inner == null ? null : inner.newStreamFramer(alloc, contentType);
        return framer == null ? null : new ChatEventsFramer(framer, chatChunks -> {
            ByteBuf events = stream(alloc).translate(chatChunks);
            return events == null ? Unpooled.EMPTY_BUFFER : events;
        });
    }

    @Override
    public @Nullable ByteBuf failStream(ByteBufAllocator alloc, int status, String message) {
        return stream(alloc).fail(status, message);
    }

    @Override
    public @Nullable ByteBuf finishStream(ByteBufAllocator alloc) {
        ResponsesStreamTranslator events = stream(alloc);
        ResponseTranslator inner = chat;
        CompositeByteBuf out = alloc.compositeBuffer();
        ByteBuf chatEnd = inner == null ? null : inner.finishStream(alloc);
        if (chatEnd != null) {
            ByteBuf translated;
            try {
                translated = events.translate(chatEnd);
            } finally {
                chatEnd.release();
            }
            if (translated != null) {
                out.addComponent(true, translated);
            }
        }
        ByteBuf end = events.finish();
        if (end != null) {
            out.addComponent(true, end);
        }
        if (!out.isReadable()) {
            out.release();
            return null;
        }
        return out;
    }

    @Override
    public @Nullable String rebuiltResponse() {
        ResponsesStreamTranslator events = stream;
        return events != null ? events.completedResponse() : rebuiltBody;
    }

    @Override
    public @Nullable Usage usage() {
        ResponsesStreamTranslator events = stream;
        if (events != null) {
            return events.usage();
        }
        if (bodyUsage != null) {
            return bodyUsage;
        }
        ResponseTranslator inner = chat;
        return inner == null ? null : inner.usage();
    }

    private ResponsesStreamTranslator stream(ByteBufAllocator alloc) {
        ResponsesStreamTranslator events = stream;
        if (events == null) {
            ResponseTranslator inner = chat;
            events = new ResponsesStreamTranslator(alloc, ids, createdAt, inner == null ? () -> null : inner::usage);
            stream = events;
        }
        return events;
    }

    /** Translates whole chat events the chat translator emitted (taken), emitting the Responses events they cause. */
    private void relay(ByteBuf chatEvents) {
        SseEventFramer.Emitter out = client;
        if (out == null) {
            chatEvents.release();
            throw new IllegalStateException("chat events emitted outside the visit of a provider event");
        }
        ByteBuf translated;
        try {
            translated = stream(chatEvents.alloc()).translate(chatEvents);
        } finally {
            chatEvents.release();
        }
        if (translated != null) {
            out.emit(translated);
        }
    }
}
