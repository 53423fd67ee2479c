package dev.llmproxy.codec.openai;

import dev.llmproxy.codec.internal.JsonText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * OpenAI's embeddings answer ({@code {"object": "list", "data": [...], "model", "usage"}}) written from vectors a
 * translation read out of another provider's answer. {@code encoding_format: "base64"} is OpenAI's packing of each
 * vector as little-endian 32-bit floats; providers that only answer floats get their vectors packed here, so that a
 * client (the OpenAI SDKs ask for base64 by default) decodes what it asked for.
 *
 * <p>Thread-safety: stateless.
 */
public final class EmbeddingList {

    private EmbeddingList() {
    }

    /**
     * Writes the answer.
     *
     * @param vectors each embedding as JSON text: an array of numbers, or a string literal (already base64)
     * @param promptTokens the input's tokens, also the total
     * @return a new buffer owned by the caller
     */
    public static ByteBuf write(ByteBufAllocator alloc, List<String> vectors, String model, long promptTokens) {
        int size = 96 + model.length();
        for (String vector : vectors) {
            size += vector.length() + 40;
        }
        ByteBuf out = alloc.buffer(size);
        out.writeCharSequence("{\"object\":\"list\",\"data\":[", StandardCharsets.US_ASCII);
        for (int i = 0; i < vectors.size(); i++) {
            out.writeCharSequence(i == 0 ? "{\"object\":\"embedding\",\"index\":"
                    : ",{\"object\":\"embedding\",\"index\":", StandardCharsets.US_ASCII);
            JsonText.writeLong(out, i);
            out.writeCharSequence(",\"embedding\":", StandardCharsets.US_ASCII);
            out.writeCharSequence(vectors.get(i), StandardCharsets.UTF_8);
            out.writeByte('}');
        }
        out.writeCharSequence("],\"model\":", StandardCharsets.US_ASCII);
        JsonText.writeString(out, model);
        out.writeCharSequence(",\"usage\":{\"prompt_tokens\":", StandardCharsets.US_ASCII);
        JsonText.writeLong(out, promptTokens);
        out.writeCharSequence(",\"total_tokens\":", StandardCharsets.US_ASCII);
        JsonText.writeLong(out, promptTokens);
        out.writeCharSequence("}}", StandardCharsets.US_ASCII);
        return out;
    }

    /** A vector as OpenAI's base64 JSON string: its values packed as little-endian 32-bit floats. */
    public static String base64(float[] values) {
        ByteBuffer packed = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            packed.putFloat(value);
        }
        return '"' + Base64.getEncoder().encodeToString(packed.array()) + '"';
    }
}
