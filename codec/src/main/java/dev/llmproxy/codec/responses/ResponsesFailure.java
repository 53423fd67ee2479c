package dev.llmproxy.codec.responses;

import static dev.llmproxy.codec.internal.JsonTree.map;

import dev.llmproxy.codec.internal.JsonTree;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The events that end a Responses stream on a failure, as the Responses API ends one: the {@code error} event
 * ({@code type}, {@code code}, {@code message}, {@code param}, {@code sequence_number}), then {@code response.failed}
 * with the response, its {@code status} {@code failed} and its {@code error}. The error event's code is LiteLLM's, the
 * HTTP status as a string; the response's error code is one of the Responses API's ({@code rate_limit_exceeded} for a
 * 429, else {@code server_error}).
 *
 * <p>Thread-safety: stateless.
 */
public final class ResponsesFailure {
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);

    private ResponsesFailure() {
    }

    /**
     * The ending of a relayed stream, whose events the proxy did not write: the error event numbered
     * {@code sequence}, then {@code response.failed} built from the response the stream last carried, or the error
     * event alone when it carried none.
     *
     * @param code the error event's code: the failure's HTTP status as a string, or {@code server_error}
     * @param lastResponseEvent the data (JSON) of the last {@code response.created}/{@code .in_progress} event, or
     *     {@code null}
     * @return a new buffer owned by the caller
     */
    public static ByteBuf events(ByteBufAllocator alloc, int sequence, String code, String message,
            byte @Nullable [] lastResponseEvent) {
        Map<String, Object> response = null;
        if (lastResponseEvent != null) {
            ByteBuf json = Unpooled.wrappedBuffer(lastResponseEvent);
            try {
                Map<String, Object> event = JsonTree.object(JsonTree.read(json));
                response = event == null ? null : JsonTree.object(event.get("response"));
            } catch (IllegalArgumentException e) {
                // The provider's event was not JSON: the client still gets the error event.
                response = null;
            } finally {
                json.release();
            }
        }
        ByteBuf out = alloc.buffer(512);
        write(out, sequence, code, message, response);
        return out;
    }

    /**
     * Writes the error event numbered {@code sequence} and, when {@code response} is given, {@code response.failed}
     * numbered {@code sequence + 1} with {@code response} (changed: failed, with the error).
     */
    static void write(ByteBuf out, int sequence, String code, String message,
            @Nullable Map<String, Object> response) {
        event(out, "error", map("type", "error", "code", code, "message", message, "param", JsonTree.NULL,
                "sequence_number", sequence));
        if (response == null) {
            return;
        }
        Map<String, Object> failed = new LinkedHashMap<>(response);
        failed.put("status", "failed");
        failed.put("error", map("code", code.equals("429") ? "rate_limit_exceeded" : "server_error",
                "message", message));
        event(out, "response.failed", map("type", "response.failed", "response", failed,
                "sequence_number", sequence + 1));
    }

    private static void event(ByteBuf out, String type, Map<String, Object> data) {
        out.writeBytes(EVENT).writeCharSequence(type, StandardCharsets.US_ASCII);
        out.writeBytes(DATA);
        JsonTree.writeTo(out, data);
        out.writeByte('\n').writeByte('\n');
    }
}
