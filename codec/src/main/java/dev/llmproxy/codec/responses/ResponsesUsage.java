package dev.llmproxy.codec.responses;

import dev.llmproxy.codec.internal.JsonTree;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads the usage of a relayed Responses API stream from its final event ({@code response.completed}, or
 * {@code response.incomplete}/{@code response.failed}, which carry the tokens spent too).
 *
 * <p>Every other event is answered by comparing its first bytes: OpenAI writes {@code type} as the first member of
 * each event, so an event whose data does not start with {@code {"type":"response.} followed by one of the final
 * types is not parsed at all. Only the final event, once per stream, is read.
 *
 * <p>Thread-safety: stateless.
 */
public final class ResponsesUsage {
    private static final byte[] PREFIX = "\"type\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONSE_DOT = "\"response.".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] FINAL_TYPES = {bytes("completed\""), bytes("incomplete\""), bytes("failed\"")};

    private ResponsesUsage() {
    }

    /**
     * The usage in one event's data, or {@code null} when the event is not a final one or carries no usage. Never
     * throws on malformed input.
     *
     * @param data holds the event's data at {@code [index, index + length)}; not taken, indexes unchanged
     */
    public static @Nullable Usage of(ByteBuf data, int index, int length) {
        int end = index + length;
        int i = skipSpace(data, index, end);
        if (i >= end || data.getByte(i) != '{') {
            return null;
        }
        i = skipSpace(data, i + 1, end);
        if (!matches(data, i, end, PREFIX)) {
            return null;
        }
        i = skipSpace(data, i + PREFIX.length, end);
        if (i >= end || data.getByte(i) != ':') {
            return null;
        }
        i = skipSpace(data, i + 1, end);
        if (!matches(data, i, end, RESPONSE_DOT)) {
            return null;
        }
        i += RESPONSE_DOT.length;
        for (byte[] type : FINAL_TYPES) {
            if (matches(data, i, end, type)) {
                return parse(data, index, length);
            }
        }
        return null;
    }

    private static @Nullable Usage parse(ByteBuf data, int index, int length) {
        try {
            Map<String, Object> event = JsonTree.object(JsonTree.read(data, index, length));
            Map<String, Object> response = event == null ? null : JsonTree.object(event.get("response"));
            Map<String, Object> usage = response == null ? null : JsonTree.object(response.get("usage"));
            if (usage == null) {
                return null;
            }
            long input = JsonTree.number(usage.get("input_tokens"), 0);
            long output = JsonTree.number(usage.get("output_tokens"), 0);
            long total = JsonTree.number(usage.get("total_tokens"), -1);
            return total < 0 ? Usage.of(input, output) : new Usage(input, output, total);
        } catch (IllegalArgumentException e) {
            // A final event that is not JSON: no usage can be read from it, and the client gets it as it came.
            return null;
        }
    }

    private static int skipSpace(ByteBuf data, int i, int end) {
        while (i < end) {
            byte b = data.getByte(i);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                break;
            }
            i++;
        }
        return i;
    }

    private static boolean matches(ByteBuf data, int i, int end, byte[] expected) {
        if (end - i < expected.length) {
            return false;
        }
        for (int k = 0; k < expected.length; k++) {
            if (data.getByte(i + k) != expected[k]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(StandardCharsets.US_ASCII);
    }
}
