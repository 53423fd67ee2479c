package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.json.RequestInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * What one provider contributes to an upstream attempt: the URL path, the authentication, the encoding of the
 * client's OpenAI-format request, and the translation of the response back into the OpenAI shape. One instance per
 * deployment, made when the config loads, so everything that can be precomputed is.
 *
 * <p>The OpenAI-compatible providers use {@link OpenAiAdapter}: the body is forwarded as it is except its
 * {@code model} value, and responses are relayed untouched ({@link #newTranslator} answers {@code null}).
 *
 * <p>Thread-safety: shared by every event loop; implementations are immutable.
 */
public interface ProviderAdapter {

    /**
     * The path and query of the request for {@code upstreamModel} on {@code endpoint}, e.g.
     * {@code /v1/chat/completions} or Gemini's {@code /v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse}.
     * Called once per target and endpoint, not per request.
     */
    String requestPath(String upstreamModel, Endpoint endpoint, boolean stream);

    /**
     * Whether a streamed request must be changed to ask the provider for usage (so that spend can be tracked) and the
     * extra usage event hidden from the client: OpenAI-format providers send usage in a stream only when asked.
     */
    boolean asksForStreamUsage(Endpoint endpoint, RequestInfo info);

    /**
     * Encodes the client's request for this provider.
     *
     * @param body the client's OpenAI-format body, scanned into {@code info}; not taken, indexes unchanged
     * @param upstreamModelJson the provider's model name as a JSON string literal, quotes included
     * @param askForUsage what {@link #asksForStreamUsage} answered for this request
     * @return the body to send, owned by the caller (retained slices of {@code body} where possible)
     */
    ByteBuf encodeRequest(
            ByteBufAllocator alloc, ByteBuf body, RequestInfo info, byte[] upstreamModelJson, boolean askForUsage);

    /**
     * Encodes the client's request for this provider, for adapters whose encoding depends on the endpoint (Gemini's
     * chat and embedding bodies differ). This is the method the attempt calls; the default answers
     * {@link #encodeRequest(ByteBufAllocator, ByteBuf, RequestInfo, byte[], boolean)}.
     *
     * @throws dev.llmproxy.codec.openai.InvalidRequestException when the request cannot be sent to this provider
     *     (a parameter it does not support, without {@code drop_params}); the client gets a 400 naming it
     */
    default ByteBuf encodeRequest(ByteBufAllocator alloc, ByteBuf body, RequestInfo info, Endpoint endpoint,
            byte[] upstreamModelJson, boolean askForUsage) {
        return encodeRequest(alloc, body, info, upstreamModelJson, askForUsage);
    }

    /** How requests are authenticated. */
    UpstreamAuth auth();

    /**
     * A translator for one response, or {@code null} when the provider already answers in the OpenAI format and its
     * bytes are relayed as they are (the fast path: no copy, no parse beyond reading usage).
     */
    @Nullable ResponseTranslator newTranslator(Endpoint endpoint, boolean stream);

    /**
     * A translator for one response, for translators that need more of the request than its endpoint: whether the
     * client asked for usage in its stream ({@code stream_options.include_usage}), or the wall time for the
     * {@code created} field of the bodies they write. This is the method the attempt calls; the default answers
     * {@link #newTranslator(Endpoint, boolean)}.
     *
     * @param info the scan of the client's request body
     * @param clock wall time (the server's injected clock); read only by translators that write {@code created}
     */
    default @Nullable ResponseTranslator newTranslator(Endpoint endpoint, boolean stream, RequestInfo info,
            Clock clock) {
        return newTranslator(endpoint, stream);
    }

    /**
     * A translator for one response, for translators that need the request body itself (Gemini's speech answers are
     * raw PCM or WAV as the body's {@code response_format} asks). This is the method the attempt calls; the default
     * answers {@link #newTranslator(Endpoint, boolean, RequestInfo, Clock)}.
     *
     * @param body the client's request body; not taken, indexes unchanged, not to be kept
     */
    default @Nullable ResponseTranslator newTranslator(Endpoint endpoint, boolean stream, RequestInfo info,
            ByteBuf body, Clock clock) {
        return newTranslator(endpoint, stream, info, clock);
    }
}
