package dev.llmproxy.proxy.passthrough;

import dev.llmproxy.codec.bedrock.BedrockStreamUsage;
import dev.llmproxy.codec.bedrock.BedrockUsageScanner;
import dev.llmproxy.codec.bedrock.EventStreamDecoder;
import dev.llmproxy.codec.cohere.CohereUsageScanner;
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
 * Gemini's (Gemini, Vertex AI): the {@code usageMetadata} of a body or of a stream's last event that has one;
 * Bedrock's: a Converse or InvokeModel body's usage, or an {@code application/vnd.amazon.eventstream} cut into its
 * messages on the side ({@link BedrockStreamUsage}: ConverseStream's {@code metadata}, InvokeModel's chunks); Cohere's:
 * the {@code meta} (v1) or {@code usage} (v2) of a chat or embed body (its streams are not read).
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
    private final @Nullable BedrockUsageScanner bedrock;
    private final @Nullable EventStreamDecoder bedrockEvents;
    private final @Nullable BedrockStreamUsage bedrockStream;
    private final @Nullable CohereUsageScanner cohere;
    private @Nullable Usage streamed;

    private AnswerUsage(boolean anthropic, boolean google, boolean stream, ByteBufAllocator alloc) {
        this.anthropic = anthropic;
        this.gemini = google ? new GeminiUsageScanner() : null;
        this.body = stream || google ? null : new JsonBodyUsageScanner();
        this.messages = anthropic && stream ? new MessagesUsage() : null;
        this.framer = stream ? new SseEventFramer(alloc, MAX_EVENT_BYTES, this::onEvent) : null;
        this.bedrock = null;
        this.bedrockEvents = null;
        this.bedrockStream = null;
        this.cohere = null;
    }

    /** A reader of Bedrock's or Cohere's answers: one of its arguments (or the stream's pair) is set. */
    private AnswerUsage(@Nullable BedrockUsageScanner bedrock, @Nullable BedrockStreamUsage bedrockStream,
            @Nullable EventStreamDecoder bedrockEvents, @Nullable CohereUsageScanner cohere) {
        this.anthropic = false;
        this.gemini = null;
        this.body = null;
        this.messages = null;
        this.framer = null;
        this.bedrock = bedrock;
        this.bedrockStream = bedrockStream;
        this.bedrockEvents = bedrockEvents;
        this.cohere = cohere;
    }

    /**
     * A reader for the answer {@code response} of {@code provider}'s route, or null when its usage is not read: an
     * error, a provider whose format is not known here, or a body that is neither JSON nor an event stream.
     */
    static @Nullable AnswerUsage of(@Nullable String provider, HttpResponse response, ByteBufAllocator alloc) {
        if (provider == null || response.status().codeClass() != HttpStatusClass.SUCCESS) {
            return null;
        }
        String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        String mediaType = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (provider.equals("bedrock")) {
            return bedrock(mediaType, alloc);
        }
        if (provider.equals("cohere")) {
            return mediaType.startsWith("application/json") ? cohere() : null;
        }
        boolean anthropic = provider.equals("anthropic");
        boolean google = provider.equals("gemini") || provider.equals("vertex_ai");
        if (!anthropic && !google && !provider.equals("openai") && !provider.equals("azure")
                && !provider.equals("mistral")) {
            return null;
        }
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
        BedrockUsageScanner bedrockBody = bedrock;
        EventStreamDecoder bedrockMessages = bedrockEvents;
        CohereUsageScanner cohereBody = cohere;
        if (bedrockBody != null) {
            bedrockBody.feed(chunk);
            return;
        }
        if (bedrockMessages != null) {
            bedrockMessages.frame(chunk).release();
            return;
        }
        if (cohereBody != null) {
            cohereBody.feed(chunk);
            return;
        }
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
        BedrockUsageScanner bedrockBody = bedrock;
        BedrockStreamUsage bedrockMessages = bedrockStream;
        CohereUsageScanner cohereBody = cohere;
        if (bedrockBody != null) {
            return bedrockBody.usage();
        }
        if (bedrockMessages != null) {
            return bedrockMessages.usage();
        }
        if (cohereBody != null) {
            return cohereBody.usage();
        }
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
        EventStreamDecoder bedrockMessages = bedrockEvents;
        if (bedrockMessages != null) {
            bedrockMessages.release();
        }
    }

    /** Bedrock's reader: a JSON body's, or an event stream's; null for another body. */
    private static @Nullable AnswerUsage bedrock(String mediaType, ByteBufAllocator alloc) {
        if (mediaType.startsWith("application/vnd.amazon.eventstream")) {
            BedrockStreamUsage stream = new BedrockStreamUsage();
            return new AnswerUsage(null, stream, new EventStreamDecoder(alloc, MAX_EVENT_BYTES, stream), null);
        }
        return mediaType.startsWith("application/json")
                ? new AnswerUsage(new BedrockUsageScanner(), null, null, null) : null;
    }

    private static AnswerUsage cohere() {
        return new AnswerUsage(null, null, null, new CohereUsageScanner());
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
