package dev.llmproxy.codec.bedrock;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.messages.MessagesUsage;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Base64;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads the usage of a Bedrock event stream relayed untouched (a pass-through route), as an
 * {@link EventStreamDecoder.Visitor} that emits nothing: ConverseStream's {@code metadata} event; for
 * InvokeModelWithResponseStream, each {@code chunk}'s base64 {@code bytes} decoded and read as an Anthropic stream
 * event ({@code message_start}, {@code message_delta}), unless Bedrock's {@code amazon-bedrock-invocationMetrics}
 * (in the last chunk, for every model) gives the counts, which then win.
 *
 * <p>Thread-safety: none; one instance per answer, confined to its event loop.
 */
public final class BedrockStreamUsage implements EventStreamDecoder.Visitor {
    private final BedrockUsageScanner converse = new BedrockUsageScanner();
    private final BedrockUsageScanner metrics = new BedrockUsageScanner(true);
    private final MessagesUsage anthropic = new MessagesUsage();

    /** The usage read so far, or {@code null}. */
    public @Nullable Usage usage() {
        Usage invocation = metrics.usage();
        if (invocation != null) {
            return invocation;
        }
        Usage events = anthropic.usage();
        return events != null ? events : converse.usage();
    }

    @Override
    public void onMessage(String messageType, String eventType, ByteBuf payload, int index, int length,
            SseEventFramer.Emitter out) {
        if (!messageType.equals("event")) {
            return;
        }
        if (eventType.equals("metadata")) {
            converse.readEvent(payload, index, length);
        } else if (eventType.equals("chunk")) {
            byte[] event = decodedBytes(payload, index, length);
            if (event != null) {
                ByteBuf decoded = Unpooled.wrappedBuffer(event);
                anthropic.read(decoded, 0, event.length);
                metrics.readEvent(decoded, 0, event.length);
            }
        }
    }

    @Override
    public void onMalformed(String reason, SseEventFramer.Emitter out) {
        // The client gets the stream as the provider sent it; what is left of it has no usage to read.
    }

    /** The decoded {@code bytes} of a chunk's payload, or null when it has none or they are not base64. */
    private static byte @Nullable [] decodedBytes(ByteBuf payload, int index, int length) {
        try (JsonParser p = JsonInput.of(payload, index, length).parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String member = p.currentName();
                JsonToken value = p.nextToken();
                if (member.equals("bytes") && value == JsonToken.VALUE_STRING) {
                    return Base64.getDecoder().decode(p.getString());
                }
                p.skipChildren();
            }
            return null;
        } catch (JacksonException | IllegalArgumentException e) {
            return null;
        }
    }
}
