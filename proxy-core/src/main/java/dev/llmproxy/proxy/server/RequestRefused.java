package dev.llmproxy.proxy.server;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.provider.Endpoint;
import org.jspecify.annotations.Nullable;

/**
 * A user event that the handlers before {@link ClientHandler} fire after they answered a request themselves (413 from
 * the aggregator, 408 from the client timeouts, 401 from the head's key check), so that the request still gets its
 * record.
 *
 * @param callId the id the answer carried
 * @param error what the client was told
 * @param startNanos ticker time the request (or its wait) started
 * @param endpoint the model API the request was for, or null when unknown or not a model call
 */
record RequestRefused(String callId, ProxyError error, long startNanos, @Nullable Endpoint endpoint) {

    RequestRefused {
        requireNonNull(callId, "callId");
        requireNonNull(error, "error");
    }

    /** A refusal of a request whose path was not looked at. */
    RequestRefused(String callId, ProxyError error, long startNanos) {
        this(callId, error, startNanos, null);
    }
}
