package dev.llmproxy.codec.bedrock;

import static dev.llmproxy.codec.translate.ChunkWriter.ascii;

import dev.llmproxy.codec.internal.JsonText;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * A Converse {@code usage} object and its OpenAI form (provider spec, section 5.4): prompt tokens are the input
 * tokens plus the cache reads and writes, {@code cached_tokens} the cache reads.
 *
 * <p>Thread-safety: none.
 */
final class ConverseUsage {
    private static final byte[] PROMPT = JsonText.quote("prompt_tokens");
    private static final byte[] COMPLETION = ascii(",\"completion_tokens\":");
    private static final byte[] TOTAL = ascii(",\"total_tokens\":");
    private static final byte[] CACHED = ascii(",\"prompt_tokens_details\":{\"cached_tokens\":");
    private static final byte[] CREATION = ascii("},\"cache_creation_input_tokens\":");
    private static final byte[] READ = ascii(",\"cache_read_input_tokens\":");

    long input;
    long output;
    long total = -1;
    long cacheRead;
    long cacheWrite;
    boolean seen;

    /** Reads the {@code usage} object {@code p} is at. */
    void read(JsonParser p) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        seen = true;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            long n = value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : 0;
            switch (name) {
                case "inputTokens" -> input = n;
                case "outputTokens" -> output = n;
                case "totalTokens" -> total = n;
                case "cacheReadInputTokens" -> cacheRead = n;
                case "cacheWriteInputTokens" -> cacheWrite = n;
                default -> p.skipChildren();
            }
        }
    }

    long promptTokens() {
        return input + cacheRead + cacheWrite;
    }

    long totalTokens() {
        return total >= 0 ? total : promptTokens() + output;
    }

    Usage toUsage() {
        return new Usage(promptTokens(), output, totalTokens());
    }

    /** Writes the OpenAI usage object. */
    void writeTo(ByteBuf out) {
        out.writeByte('{').writeBytes(PROMPT).writeByte(':');
        JsonText.writeLong(out, promptTokens());
        out.writeBytes(COMPLETION);
        JsonText.writeLong(out, output);
        out.writeBytes(TOTAL);
        JsonText.writeLong(out, totalTokens());
        out.writeBytes(CACHED);
        JsonText.writeLong(out, cacheRead);
        out.writeBytes(CREATION);
        JsonText.writeLong(out, cacheWrite);
        out.writeBytes(READ);
        JsonText.writeLong(out, cacheRead);
        out.writeByte('}');
    }
}
