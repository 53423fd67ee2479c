package dev.llmproxy.codec.bedrock;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.anthropic.AnthropicStreamTranslator;
import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.translate.ChunkWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;

/**
 * Translates InvokeModelWithResponseStream's event stream for a Claude model ({@code bedrock/invoke/anthropic...})
 * into OpenAI chunks: each {@code chunk} event's payload is {@code {"bytes": "<base64>"}}, the base64 of one Anthropic
 * Messages stream event, which goes to an {@link AnthropicStreamTranslator} as if it had come as SSE. An
 * {@code exception} message is an OpenAI error event with its status (provider spec, section 5.5), as for Converse.
 *
 * <p>Never throws for bad input: a payload that is not JSON or not base64 ends the stream with an error event.
 *
 * <p>Thread-safety: confined to one stream's event loop.
 */
public final class InvokeStreamTranslator implements BedrockStreamVisitor {
    private final AnthropicStreamTranslator events;
    private final ChunkWriter errors;
    private boolean failed;

    /**
     * @param alloc allocates the chunks
     * @param created the chunks' {@code created}, epoch seconds
     * @param includeUsage whether the client asked for {@code stream_options.include_usage}
     */
    public InvokeStreamTranslator(ByteBufAllocator alloc, long created, boolean includeUsage) {
        requireNonNull(alloc, "alloc");
        this.events = new AnthropicStreamTranslator(alloc, created, includeUsage);
        this.errors = new ChunkWriter(alloc, created);
    }

    @Override
    public void onMessage(String messageType, String eventType, ByteBuf payload, int index, int length,
            SseEventFramer.Emitter out) {
        if (failed) {
            return;
        }
        String text = payload.toString(index, length, StandardCharsets.UTF_8);
        if (!messageType.equals("event")) {
            String message = member(text, "message");
            fail(out, BedrockErrors.exceptionStatus(eventType), eventType + " "
                    + (message != null ? message : text.substring(0, Math.min(text.length(), 200))));
            return;
        }
        if (!eventType.equals("chunk")) {
            return;
        }
        String bytes = member(text, "bytes");
        byte[] event;
        try {
            event = bytes == null ? null : Base64.getDecoder().decode(bytes);
        } catch (IllegalArgumentException e) {
            event = null;
        }
        if (event == null) {
            fail(out, 500, "Invalid event in the stream: " + text.substring(0, Math.min(text.length(), 200)));
            return;
        }
        events.onEvent(Unpooled.wrappedBuffer(event), 0, event.length, out);
    }

    @Override
    public void onMalformed(String reason, SseEventFramer.Emitter out) {
        if (!failed) {
            fail(out, 500, reason);
        }
    }

    @Override
    public @Nullable ByteBuf finish(boolean endedCleanly) {
        if (failed) {
            return null;
        }
        if (!endedCleanly) {
            failed = true;
            return error(500, "The stream from Bedrock ended in the middle of a message");
        }
        return events.finish();
    }

    @Override
    public @Nullable Usage usage() {
        return events.usage();
    }

    private void fail(SseEventFramer.Emitter out, int providerStatus, String message) {
        failed = true;
        out.emit(error(providerStatus, message));
    }

    private ByteBuf error(int providerStatus, String message) {
        int status = BedrockErrors.clientStatus(providerStatus, message);
        return errors.error(status, "BedrockException - " + message, BedrockErrors.typeOf(status));
    }

    /** The top-level string member {@code name} of a JSON object, or {@code null}. */
    private static @Nullable String member(String json, String name) {
        try (JsonParser p = JsonInput.JSON.createParser(ObjectReadContext.empty(), json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String member = p.currentName();
                JsonToken value = p.nextToken();
                if (member.equals(name) && value == JsonToken.VALUE_STRING) {
                    return p.getString();
                }
                p.skipChildren();
            }
            return null;
        } catch (JacksonException e) {
            return null;
        }
    }
}
