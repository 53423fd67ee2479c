package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.openai.JsonBodyUsageScanner;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.responses.ManagedResponseIds;
import dev.llmproxy.codec.responses.ResponsesFailure;
import dev.llmproxy.codec.responses.ResponsesUsage;
import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Relays an OpenAI or Azure Responses API answer as it is, but for the response's id, which becomes a managed id
 * naming the deployment ({@link ManagedResponseIds}): the client's later {@code GET}/{@code DELETE} of the response,
 * or a {@code previous_response_id}, finds the deployment that holds it. Reads the usage from the body or the final
 * event.
 *
 * <p>A stream's events pass untouched (zero-copy) except the few that carry the whole response
 * ({@code response.created}, {@code .in_progress}, {@code .completed}, ...), which are rewritten; a plain body is
 * held whole, to be written with its new length. Error bodies pass as they are.
 *
 * <p>A stream that fails past its start (the provider's connection lost, a timeout) or that ends without one of the
 * Responses API's last events ({@code response.completed}, {@code .incomplete}, {@code .failed}, {@code error}) is
 * ended as the Responses API ends a failed one ({@link ResponsesFailure}): the {@code error} event, numbered after the
 * provider's events (which OpenAI numbers from 0, one by one), then {@code response.failed} with the response the
 * stream last carried. That response ({@code response.created} or {@code .in_progress}, id already managed) is kept
 * as bytes for this.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
public final class NativeResponsesTranslator implements ResponseTranslator {
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    /** Where the type's name starts in an event that {@link ManagedResponseIds#carriesResponse} accepted. */
    private static final int TYPE_START = "{\"type\":\"".length();
    private static final byte[] ERROR_EVENT = "{\"type\":\"error\"".getBytes(StandardCharsets.US_ASCII);
    /** The events after which a Responses stream says no more, as their types. */
    private static final byte[][] LAST_EVENTS = {"response.completed\"".getBytes(StandardCharsets.US_ASCII),
        "response.incomplete\"".getBytes(StandardCharsets.US_ASCII),
        "response.failed\"".getBytes(StandardCharsets.US_ASCII)};
    private static final String UNFINISHED = "The provider's stream ended before the response was complete";

    private final String provider;
    private final String deploymentId;
    private @Nullable Usage usage;
    private int events;
    private boolean ended;
    private byte @Nullable [] lastResponse;

    /**
     * @param provider LiteLLM's name of the deployment's provider ({@code openai}, {@code azure})
     * @param deploymentId the deployment's {@code model_info.id}
     */
    public NativeResponsesTranslator(String provider, String deploymentId) {
        this.provider = requireNonNull(provider, "provider");
        this.deploymentId = requireNonNull(deploymentId, "deploymentId");
    }

    @Override
    public ByteBuf translateBody(ByteBufAllocator alloc, ByteBuf body) {
        usage = JsonBodyUsageScanner.usageOf(body);
        ByteBuf managed = ManagedResponseIds.replaceResponseId(alloc, body, body.readerIndex(), body.readableBytes(),
                this::managedId);
        if (managed == null) {
            return body;
        }
        body.release();
        return managed;
    }

    @Override
    public ByteBuf translateError(ByteBufAllocator alloc, int status, ByteBuf body) {
        return body;
    }

    @Override
    public SseEventFramer.Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
        events++;
        Usage reported = ResponsesUsage.of(data, index, length);
        if (reported != null) {
            usage = reported;
        }
        if (!ManagedResponseIds.carriesResponse(data, index, length)) {
            if (startsWith(data, index, index + length, ERROR_EVENT)) {
                ended = true;
            }
            return SseEventFramer.Decision.FORWARD;
        }
        boolean last = isLast(data, index + TYPE_START, index + length);
        ended |= last;
        ByteBuf managed = ManagedResponseIds.replaceResponseId(data.alloc(), data, index, length, this::managedId);
        if (managed == null) {
            if (!last) {
                lastResponse = ByteBufUtil.getBytes(data, index, length);
            }
            return SseEventFramer.Decision.FORWARD;
        }
        if (!last) {
            lastResponse = ByteBufUtil.getBytes(managed);
        }
        int typeEnd = data.indexOf(index + TYPE_START, index + length, (byte) '"');
        ByteBuf event = data.alloc().buffer(managed.readableBytes() + 64);
        event.writeBytes(EVENT).writeBytes(data, index + TYPE_START, typeEnd - index - TYPE_START)
                .writeBytes(DATA).writeBytes(managed).writeByte('\n').writeByte('\n');
        managed.release();
        out.emit(event);
        return SseEventFramer.Decision.REPLACE;
    }

    /** Nothing when the stream ended as the Responses API ends one, else the failure's events. */
    @Override
    public @Nullable ByteBuf finishStream(ByteBufAllocator alloc) {
        if (ended || events == 0) {
            return null;
        }
        ended = true;
        return ResponsesFailure.events(alloc, events, "server_error", UNFINISHED, lastResponse);
    }

    /** The Responses API's failure events (nothing after one of its last events: the client has its answer). */
    @Override
    public ByteBuf failStream(ByteBufAllocator alloc, int status, String message) {
        if (ended) {
            return Unpooled.EMPTY_BUFFER;
        }
        ended = true;
        return ResponsesFailure.events(alloc, events, Integer.toString(status), message, lastResponse);
    }

    /** Comments and events without data are the provider's and pass as they are. */
    @Override
    public boolean keepsOtherEvents() {
        return true;
    }

    @Override
    public @Nullable Usage usage() {
        return usage;
    }

    private static boolean isLast(ByteBuf data, int typeStart, int end) {
        for (byte[] type : LAST_EVENTS) {
            if (startsWith(data, typeStart, end, type)) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(ByteBuf data, int from, int end, byte[] prefix) {
        if (end - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data.getByte(from + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private String managedId(String responseId) {
        return ManagedResponseIds.encode(provider, deploymentId, responseId);
    }
}
