package dev.llmproxy.proxy.passthrough;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.auth.Principal;
import io.netty.handler.codec.http.HttpRequest;
import org.jspecify.annotations.Nullable;

/**
 * What the relay needs to know of a pass-through request.
 *
 * @param callId the request id ({@code x-litellm-call-id})
 * @param head the client's request head (method and headers; its body streams separately)
 * @param principal who calls ({@link Principal#ANONYMOUS} on a route without auth)
 * @param startNanos when the request arrived, on the server's ticker
 * @param keepAlive whether the client connection stays open after the answer
 * @param http10 whether the client spoke HTTP/1.0
 * @param traceparent the client's W3C {@code traceparent}, or null
 */
public record PassThroughRequest(String callId, HttpRequest head, Principal principal, long startNanos,
        boolean keepAlive, boolean http10, @Nullable String traceparent) {

    public PassThroughRequest {
        requireNonNull(callId, "callId");
        requireNonNull(head, "head");
        requireNonNull(principal, "principal");
    }
}
