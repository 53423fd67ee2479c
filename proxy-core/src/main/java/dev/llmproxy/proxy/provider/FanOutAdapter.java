package dev.llmproxy.proxy.provider;

import io.netty.buffer.ByteBuf;
import java.time.Clock;

/**
 * An adapter some of whose requests are several provider calls whose answers are put together into one: Bedrock's
 * Titan embedding models take one input per InvokeModel call (Bedrock's image generation goes the same way as one
 * call, which leaves its chat translation alone). The call runs such a request as one attempt whose
 * provider calls go out at once ({@code call.FanOutAttempt}); the adapter's {@link ProviderAdapter#encodeRequest} is
 * not used for them.
 *
 * <p>Thread-safety: immutable, like the adapter.
 */
public interface FanOutAdapter {

    /** Whether requests to {@code endpoint} go through {@link #fanOut}. */
    boolean fansOut(Endpoint endpoint);

    /**
     * Reads a request for its provider calls.
     *
     * @param body the client's body; not taken, indexes unchanged, not kept
     * @param upstreamModel the deployment's model for this request (for a wildcard deployment, the client's)
     * @param clock wall time, for the {@code created} of answers
     * @throws dev.llmproxy.codec.openai.InvalidRequestException when the provider cannot take the request (a 400)
     */
    FanOutRequest fanOut(ByteBuf body, Endpoint endpoint, String upstreamModel, Clock clock);
}
