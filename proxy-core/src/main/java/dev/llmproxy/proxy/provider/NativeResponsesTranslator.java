package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.openai.JsonBodyUsageScanner;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.responses.ManagedResponseIds;
import dev.llmproxy.codec.responses.ResponsesUsage;
import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
 * <p>Thread-safety: confined to the attempt's event loop.
 */
public final class NativeResponsesTranslator implements ResponseTranslator {
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    /** Where the type's name starts in an event that {@link ManagedResponseIds#carriesResponse} accepted. */
    private static final int TYPE_START = "{\"type\":\"".length();

    private final String provider;
    private final String deploymentId;
    private @Nullable Usage usage;

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
        Usage reported = ResponsesUsage.of(data, index, length);
        if (reported != null) {
            usage = reported;
        }
        if (!ManagedResponseIds.carriesResponse(data, index, length)) {
            return SseEventFramer.Decision.FORWARD;
        }
        ByteBuf managed = ManagedResponseIds.replaceResponseId(data.alloc(), data, index, length, this::managedId);
        if (managed == null) {
            return SseEventFramer.Decision.FORWARD;
        }
        int typeEnd = data.indexOf(index + TYPE_START, index + length, (byte) '"');
        ByteBuf event = data.alloc().buffer(managed.readableBytes() + 64);
        event.writeBytes(EVENT).writeBytes(data, index + TYPE_START, typeEnd - index - TYPE_START)
                .writeBytes(DATA).writeBytes(managed).writeByte('\n').writeByte('\n');
        managed.release();
        out.emit(event);
        return SseEventFramer.Decision.REPLACE;
    }

    @Override
    public @Nullable ByteBuf finishStream(ByteBufAllocator alloc) {
        return null;
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

    private String managedId(String responseId) {
        return ManagedResponseIds.encode(provider, deploymentId, responseId);
    }
}
