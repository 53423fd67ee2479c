package dev.llmproxy.proxy.passthrough;

import dev.llmproxy.codec.gemini.GeminiUsageScanner;
import dev.llmproxy.codec.messages.MessagesUsage;
import dev.llmproxy.codec.openai.JsonBodyUsageScanner;
import dev.llmproxy.codec.openai.StreamChunk;
import dev.llmproxy.codec.openai.StreamChunkInspector;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Reads the token usage of a provider route's answer from the bytes relayed to the client, which it never holds or
 * changes: a JSON body is scanned chunk by chunk for its top-level {@code usage}; a {@code text/event-stream} is cut
 * into events on the side (only an event split across chunks is copied until it completes), each event's data read
 * by the provider's rule. OpenAI's format (OpenAI, Azure, Mistral): the {@code usage} of a body or of a stream's
 * chunk; Anthropic's: a message's {@code usage}, or a stream's {@code message_start} and {@code message_delta};
 * Gemini's (Gemini, Vertex AI): the {@code usageMetadata} of a body or of a stream's last event that has one.
 *
 * <p>Thread-safety: none; one instance per answer, confined to the relay's event loop.
 */
final class AnswerUsage {
    /** The most bytes one event split across chunks may take while it completes; beyond, usage is not read. */
    private static final int MAX_EVENT_BYTES = 1024 * 1024;

    private final boolean anthropic;
    private final @Nullable GeminiUsageScanner gemini;
    private final @Nullable JsonBodyUsageScanner body;
    private final @Nullable SseEventFramer framer;
    private final @Nullable MessagesUsage messages;
    private @Nullable Usage streamed;

    private AnswerUsage(boolean anthropic, boolean google, boolean stream, ByteBufAllocator alloc) {
        this.anthropic = anthropic;
        this.gemini = google ? new GeminiUsageScanner() : null;
        this.body = stream || google ? null : new JsonBodyUsageScanner();
        this.messages = anthropic && stream ? new MessagesUsage() : null;
        this.framer = stream ? new SseEventFramer(alloc, MAX_EVENT_BYTES, this::onEvent) : null;
    }

    /**
     * A reader for the answer {@code response} of {@code provider}'s route, or null when its usage is not read: an
     * error, a provider whose format is not known here, or a body that is neither JSON nor an event stream.
     */
    static @Nullable AnswerUsage of(@Nullable String provider, HttpResponse response, ByteBufAllocator alloc) {
        if (provider == null || response.status().codeClass() != HttpStatusClass.SUCCESS) {
            return null;
        }
        boolean anthropic = provider.equals("anthropic");
        boolean google = provider.equals("gemini") || provider.equals("vertex_ai");
        if (!anthropic && !google && !provider.equals("openai") && !provider.equals("azure")
                && !provider.equals("mistral")) {
            return null;
        }
        String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        String mediaType = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (mediaType.startsWith("text/event-stream")) {
            return new AnswerUsage(anthropic, google, true, alloc);
        }
        return mediaType.startsWith("application/json") ? new AnswerUsage(anthropic, google, false, alloc) : null;
    }

    /**
     * Reads the next part of the answer.
     *
     * @param chunk not taken, indexes unchanged
     */
    void read(ByteBuf chunk) {
        GeminiUsageScanner google = gemini;
        if (google != null && framer == null) {
            google.feed(chunk);
            return;
        }
        JsonBodyUsageScanner scanner = body;
        if (scanner != null) {
            scanner.feed(chunk);
            return;
        }
        SseEventFramer events = framer;
        if (events != null && !events.isOverflowed()) {
            events.frame(chunk).release();
        }
    }

    /** The usage read so far, or null. */
    @Nullable Usage usage() {
        GeminiUsageScanner google = gemini;
        if (google != null) {
            return google.usage();
        }
        JsonBodyUsageScanner scanner = body;
        if (scanner != null) {
            return scanner.usage();
        }
        MessagesUsage read = messages;
        return read != null ? read.usage() : streamed;
    }

    /** Frees the buffers of an event left incomplete. Idempotent. */
    void release() {
        SseEventFramer events = framer;
        if (events != null) {
            events.release();
        }
    }

    private SseEventFramer.Decision onEvent(ByteBuf data, int index, int length) {
        MessagesUsage read = messages;
        GeminiUsageScanner google = gemini;
        if (read != null) {
            read.read(data, index, length);
        } else if (google != null) {
            google.readEvent(data, index, length);
        } else if (!anthropic) {
            StreamChunk chunk = StreamChunkInspector.inspect(data, index, length);
            Usage usage = chunk.usage();
            if (usage != null) {
                streamed = usage;
            }
        }
        return SseEventFramer.Decision.FORWARD;
    }
}
