package dev.llmproxy.codec.openai;

import dev.llmproxy.codec.internal.JsonText;
import dev.llmproxy.codec.sse.SseEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Writes the OpenAI-format bodies the proxy (or a mock provider) answers itself, directly as UTF-8 bytes.
 *
 * <p>Every method returns a new buffer from the given allocator, owned by the caller, who must release (or write)
 * it. Stream methods return one complete SSE event ({@code data: {...}\n\n}). Times are epoch seconds supplied by
 * the caller. Strings are escaped per RFC 8259.
 *
 * <p>Thread-safety: stateless.
 */
public final class OpenAiJson {
    private static final byte[] DONE = ascii("data: [DONE]\n\n");
    private static final byte[] CHAT = ascii(",\"object\":\"chat.completion\",\"created\":");
    private static final byte[] CHAT_CHUNK = ascii(",\"object\":\"chat.completion.chunk\",\"created\":");
    private static final byte[] TEXT = ascii(",\"object\":\"text_completion\",\"created\":");
    private static final byte[] MODEL = ascii(",\"model\":");
    private static final byte[] CHOICES = ascii(",\"choices\":[");
    private static final byte[] CHOICES_END = ascii("]");
    private static final byte[] MESSAGE = ascii("{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":");
    private static final byte[] MESSAGE_END = ascii(",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}");
    private static final byte[] ROLE_DELTA =
            ascii("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}");
    private static final byte[] CONTENT_DELTA = ascii("{\"index\":0,\"delta\":{\"content\":");
    private static final byte[] CONTENT_DELTA_END = ascii("},\"logprobs\":null,\"finish_reason\":null}");
    private static final byte[] FINISH_DELTA = ascii("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":");
    private static final byte[] TEXT_CHOICE = ascii("{\"text\":");
    private static final byte[] TEXT_CHOICE_MIDDLE = ascii(",\"index\":0,\"logprobs\":null,\"finish_reason\":");
    private static final byte[] USAGE = ascii(",\"usage\":{\"prompt_tokens\":");
    private static final byte[] COMPLETION_TOKENS = ascii(",\"completion_tokens\":");
    private static final byte[] TOTAL_TOKENS = ascii(",\"total_tokens\":");
    private static final byte[] NULL = ascii("null");
    private static final byte[] EMBEDDINGS = ascii("{\"object\":\"list\",\"data\":[");
    private static final byte[] EMBEDDING = ascii("{\"object\":\"embedding\",\"index\":");
    private static final byte[] EMBEDDING_VECTOR = ascii(",\"embedding\":[");
    private static final byte[] EMBEDDING_BASE64 = ascii(",\"embedding\":\"");
    private static final byte[] EMBEDDING_USAGE = ascii(",\"usage\":{\"prompt_tokens\":");
    private static final byte[] MODELS = ascii("{\"object\":\"list\",\"data\":[");
    private static final byte[] MODEL_ID = ascii("{\"id\":");
    private static final byte[] MODEL_OBJECT = ascii(",\"object\":\"model\",\"created\":");
    private static final byte[] OWNED_BY = ascii(",\"owned_by\":");
    private static final byte[] ERROR = ascii("{\"error\":{\"message\":");
    private static final byte[] ERROR_TYPE = ascii(",\"type\":");
    private static final byte[] ERROR_PARAM = ascii(",\"param\":");
    private static final byte[] ERROR_CODE = ascii(",\"code\":\"");

    private OpenAiJson() {
    }

    /**
     * Writes {@code {"error":{"message":…,"type":…,"param":…,"code":"<status>"}}}.
     *
     * @param param the offending parameter, or {@code null}
     */
    public static ByteBuf error(ByteBufAllocator alloc, int status, String message, String type,
            @Nullable String param) {
        ByteBuf out = alloc.buffer(64 + message.length() + type.length());
        out.writeBytes(ERROR);
        JsonText.writeString(out, message);
        out.writeBytes(ERROR_TYPE);
        JsonText.writeString(out, type);
        out.writeBytes(ERROR_PARAM);
        writeNullable(out, param);
        out.writeBytes(ERROR_CODE);
        JsonText.writeLong(out, status);
        out.writeByte('"').writeByte('}').writeByte('}');
        return out;
    }

    /** Writes a {@code chat.completion} with one assistant message, finish reason {@code stop}, and usage. */
    public static ByteBuf chatCompletion(ByteBufAllocator alloc, String id, long created, String model,
            String content, Usage usage) {
        ByteBuf out = alloc.buffer(320 + content.length());
        header(out, id, CHAT, created, model);
        out.writeBytes(CHOICES).writeBytes(MESSAGE);
        JsonText.writeString(out, content);
        out.writeBytes(MESSAGE_END).writeBytes(CHOICES_END);
        writeUsage(out, usage);
        out.writeByte('}');
        return out;
    }

    /** Writes the first {@code chat.completion.chunk} event, whose delta carries the assistant role. */
    public static ByteBuf chatRoleChunk(ByteBufAllocator alloc, String id, long created, String model) {
        ByteBuf out = startEvent(alloc, 256, id, CHAT_CHUNK, created, model);
        out.writeBytes(CHOICES).writeBytes(ROLE_DELTA).writeBytes(CHOICES_END);
        return endEvent(out);
    }

    /** Writes a {@code chat.completion.chunk} event with a content delta. */
    public static ByteBuf chatContentChunk(ByteBufAllocator alloc, String id, long created, String model,
            String content) {
        ByteBuf out = startEvent(alloc, 256 + content.length(), id, CHAT_CHUNK, created, model);
        out.writeBytes(CHOICES).writeBytes(CONTENT_DELTA);
        JsonText.writeString(out, content);
        out.writeBytes(CONTENT_DELTA_END).writeBytes(CHOICES_END);
        return endEvent(out);
    }

    /** Writes the {@code chat.completion.chunk} event with an empty delta and {@code finishReason}. */
    public static ByteBuf chatFinishChunk(ByteBufAllocator alloc, String id, long created, String model,
            String finishReason) {
        ByteBuf out = startEvent(alloc, 256, id, CHAT_CHUNK, created, model);
        out.writeBytes(CHOICES).writeBytes(FINISH_DELTA);
        JsonText.writeString(out, finishReason);
        out.writeByte('}').writeBytes(CHOICES_END);
        return endEvent(out);
    }

    /** Writes the usage-only {@code chat.completion.chunk} event ({@code "choices":[]}) of {@code include_usage}. */
    public static ByteBuf chatUsageChunk(ByteBufAllocator alloc, String id, long created, String model,
            Usage usage) {
        ByteBuf out = startEvent(alloc, 320, id, CHAT_CHUNK, created, model);
        out.writeBytes(CHOICES).writeBytes(CHOICES_END);
        writeUsage(out, usage);
        return endEvent(out);
    }

    /** Writes the {@code data: [DONE]} event that ends every OpenAI stream. */
    public static ByteBuf done(ByteBufAllocator alloc) {
        return alloc.buffer(DONE.length).writeBytes(DONE);
    }

    /** Writes a legacy {@code text_completion} (for {@code /v1/completions}) with finish reason {@code stop}. */
    public static ByteBuf textCompletion(ByteBufAllocator alloc, String id, long created, String model, String text,
            Usage usage) {
        ByteBuf out = alloc.buffer(320 + text.length());
        header(out, id, TEXT, created, model);
        out.writeBytes(CHOICES).writeBytes(TEXT_CHOICE);
        JsonText.writeString(out, text);
        out.writeBytes(TEXT_CHOICE_MIDDLE);
        JsonText.writeString(out, "stop");
        out.writeByte('}').writeBytes(CHOICES_END);
        writeUsage(out, usage);
        out.writeByte('}');
        return out;
    }

    /**
     * Writes a streamed {@code text_completion} event.
     *
     * @param finishReason {@code null} for all but the last chunk
     */
    public static ByteBuf textCompletionChunk(ByteBufAllocator alloc, String id, long created, String model,
            String text, @Nullable String finishReason) {
        ByteBuf out = startEvent(alloc, 256 + text.length(), id, TEXT, created, model);
        out.writeBytes(CHOICES).writeBytes(TEXT_CHOICE);
        JsonText.writeString(out, text);
        out.writeBytes(TEXT_CHOICE_MIDDLE);
        writeNullable(out, finishReason);
        out.writeByte('}').writeBytes(CHOICES_END);
        return endEvent(out);
    }

    /** Writes the usage-only text completion event ({@code "choices":[]}). */
    public static ByteBuf textUsageChunk(ByteBufAllocator alloc, String id, long created, String model,
            Usage usage) {
        ByteBuf out = startEvent(alloc, 320, id, TEXT, created, model);
        out.writeBytes(CHOICES).writeBytes(CHOICES_END);
        writeUsage(out, usage);
        return endEvent(out);
    }

    /**
     * Writes an embeddings list with {@code inputs} vectors of {@code dimensions} floats each. The values are a
     * deterministic function of (input index, dimension), in (-1, 1), six decimals.
     *
     * @param promptTokens reported as both {@code prompt_tokens} and {@code total_tokens}
     * @param base64 write each vector as a base64 string of little-endian float32s ({@code encoding_format: base64},
     *     which the OpenAI SDKs ask for by default) instead of an array of numbers
     */
    public static ByteBuf embeddings(ByteBufAllocator alloc, String model, int inputs, int dimensions,
            long promptTokens, boolean base64) {
        if (inputs < 0 || dimensions < 0) {
            throw new IllegalArgumentException(
                    "inputs, dimensions: " + inputs + ", " + dimensions + " (expected: >= 0)");
        }
        ByteBuf out = alloc.buffer(128 + model.length() + inputs * (48 + dimensions * 10));
        out.writeBytes(EMBEDDINGS);
        for (int i = 0; i < inputs; i++) {
            if (i > 0) {
                out.writeByte(',');
            }
            out.writeBytes(EMBEDDING);
            JsonText.writeLong(out, i);
            if (base64) {
                out.writeBytes(EMBEDDING_BASE64);
                writeBase64Vector(out, i, dimensions);
                out.writeByte('"').writeByte('}');
                continue;
            }
            out.writeBytes(EMBEDDING_VECTOR);
            for (int d = 0; d < dimensions; d++) {
                if (d > 0) {
                    out.writeByte(',');
                }
                writeComponent(out, i, d);
            }
            out.writeByte(']').writeByte('}');
        }
        out.writeByte(']').writeBytes(MODEL);
        JsonText.writeString(out, model);
        out.writeBytes(EMBEDDING_USAGE);
        JsonText.writeLong(out, promptTokens);
        out.writeBytes(TOTAL_TOKENS);
        JsonText.writeLong(out, promptTokens);
        out.writeByte('}').writeByte('}');
        return out;
    }

    /** Writes {@code {"object":"list","data":[…]}} for {@code GET /v1/models}. */
    public static ByteBuf modelList(ByteBufAllocator alloc, List<ModelCard> models) {
        ByteBuf out = alloc.buffer(32 + models.size() * 96);
        out.writeBytes(MODELS);
        for (int i = 0; i < models.size(); i++) {
            if (i > 0) {
                out.writeByte(',');
            }
            writeModel(out, models.get(i));
        }
        out.writeByte(']').writeByte('}');
        return out;
    }

    /** Writes one model object for {@code GET /v1/models/{id}}. */
    public static ByteBuf model(ByteBufAllocator alloc, ModelCard model) {
        ByteBuf out = alloc.buffer(96);
        writeModel(out, model);
        return out;
    }

    private static void writeModel(ByteBuf out, ModelCard model) {
        out.writeBytes(MODEL_ID);
        JsonText.writeString(out, model.id());
        out.writeBytes(MODEL_OBJECT);
        JsonText.writeLong(out, model.created());
        out.writeBytes(OWNED_BY);
        JsonText.writeString(out, model.ownedBy());
        out.writeByte('}');
    }

    private static ByteBuf startEvent(ByteBufAllocator alloc, int capacity, String id, byte[] object, long created,
            String model) {
        ByteBuf out = alloc.buffer(capacity + id.length() + model.length());
        SseEvents.startData(out);
        header(out, id, object, created, model);
        return out;
    }

    private static ByteBuf endEvent(ByteBuf out) {
        return SseEvents.endEvent(out.writeByte('}'));
    }

    // Writes {"id":"<id>","object":…,"created":N,"model":"<model>" without the closing brace.
    private static void header(ByteBuf out, String id, byte[] object, long created, String model) {
        out.writeByte('{').writeByte('"').writeByte('i').writeByte('d').writeByte('"').writeByte(':');
        JsonText.writeString(out, id);
        out.writeBytes(object);
        JsonText.writeLong(out, created);
        out.writeBytes(MODEL);
        JsonText.writeString(out, model);
    }

    private static void writeUsage(ByteBuf out, Usage usage) {
        out.writeBytes(USAGE);
        JsonText.writeLong(out, usage.promptTokens());
        out.writeBytes(COMPLETION_TOKENS);
        JsonText.writeLong(out, usage.completionTokens());
        out.writeBytes(TOTAL_TOKENS);
        JsonText.writeLong(out, usage.totalTokens());
        out.writeByte('}');
    }

    private static void writeNullable(ByteBuf out, @Nullable String value) {
        if (value == null) {
            out.writeBytes(NULL);
        } else {
            JsonText.writeString(out, value);
        }
    }

    // A fixed hash of (input, dimension) mapped to a six-decimal fraction, so that mock embeddings are reproducible.
    /** The vector as OpenAI sends it for {@code encoding_format: base64}: little-endian float32s, base64-encoded. */
    private static void writeBase64Vector(ByteBuf out, int input, int dimensions) {
        ByteBuffer floats = ByteBuffer.allocate(dimensions * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int d = 0; d < dimensions; d++) {
            floats.putFloat(componentMicros(input, d) / 1_000_000f);
        }
        out.writeBytes(Base64.getEncoder().encode(floats.array()));
    }

    private static void writeComponent(ByteBuf out, int input, int dimension) {
        int micros = componentMicros(input, dimension);
        if (micros < 0) {
            out.writeByte('-');
            micros = -micros;
        }
        out.writeByte('0').writeByte('.');
        for (int div = 100_000; div > 0; div /= 10) {
            out.writeByte('0' + micros / div % 10);
        }
    }

    /** A deterministic component in millionths, in (-1, 1), so that answers are reproducible. */
    private static int componentMicros(int input, int dimension) {
        int h = input * 0x9E3779B1 + dimension * 0x85EBCA77;
        h ^= h >>> 15;
        h *= 0x2C1B3C6D;
        h ^= h >>> 13;
        return Math.floorMod(h, 1_999_999) - 999_999;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
