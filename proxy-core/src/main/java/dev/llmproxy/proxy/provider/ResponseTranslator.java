package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.sse.StreamFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderValues;
import org.jspecify.annotations.Nullable;

/**
 * Turns one response of a provider that does not speak the OpenAI format into the OpenAI shape. One instance per
 * attempt; it may keep state across a stream's events (a content block's index, the usage seen so far).
 *
 * <p>Non-streamed bodies and error bodies arrive whole (the attempt collects them, bounded); streamed responses are
 * framed into SSE events and each event is shown to {@link #onEvent}, which forwards, drops or replaces it.
 *
 * <p>Thread-safety: confined to the attempt's event loop.
 */
public interface ResponseTranslator extends SseEventFramer.RewritingVisitor {

    /**
     * Translates a complete successful body.
     *
     * @param body taken: the translator releases it
     * @return the OpenAI-shaped body, owned by the caller
     */
    ByteBuf translateBody(ByteBufAllocator alloc, ByteBuf body);

    /**
     * Translates a complete error body (status 4xx or 5xx) into an OpenAI error object.
     *
     * @param body taken: the translator releases it
     * @return the OpenAI error body, owned by the caller
     */
    ByteBuf translateError(ByteBufAllocator alloc, int status, ByteBuf body);

    /**
     * Events to send after the provider's stream ended (an OpenAI {@code data: [DONE]}, a final usage chunk), or
     * {@code null} for none. Owned by the caller.
     */
    @Nullable ByteBuf finishStream(ByteBufAllocator alloc);

    /** A translated stream's client gets only the translator's events, never the provider's own lines. */
    @Override
    default boolean keepsOtherEvents() {
        return false;
    }

    /**
     * The status the client gets for the body this translator just returned from {@link #translateBody} or
     * {@link #translateError}, given the provider's status: a provider's own status codes mapped to OpenAI's
     * (Anthropic's 529 overloaded is a 500), or an error status for a successful response that could not be
     * translated. The default keeps the provider's status.
     */
    default int clientStatus(int providerStatus) {
        return providerStatus;
    }

    /**
     * A framer for a successful streamed body that is not {@code text/event-stream} (Bedrock's binary AWS event
     * stream), which then translates the stream itself and hands back OpenAI SSE events; {@code null} (the default)
     * for the SSE framing that calls {@link #onEvent}.
     *
     * @param contentType the provider's {@code content-type}, or {@code null}
     */
    default @Nullable StreamFramer newStreamFramer(ByteBufAllocator alloc, @Nullable String contentType) {
        return null;
    }

    /**
     * The events that end a stream this translator was translating when the attempt fails past its start (the
     * provider's connection lost, a timeout), in the shape of the endpoint's stream; {@code null} (the default) for
     * the proxy's OpenAI error event.
     *
     * @param status the HTTP status of the failure
     * @return owned by the caller
     */
    default @Nullable ByteBuf failStream(ByteBufAllocator alloc, int status, String message) {
        return null;
    }

    /**
     * The content type of the body {@link #translateBody} just returned: JSON unless the translation is something
     * else (the audio of Gemini's speech answers).
     */
    default CharSequence bodyContentType() {
        return HttpHeaderValues.APPLICATION_JSON;
    }

    /** The usage the response reported, once known, or {@code null}. */
    @Nullable Usage usage();
}
