package dev.llmproxy.proxy.server;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.call.ProxyError;

/**
 * A user event that the handlers before {@link ClientHandler} fire after they answered a request themselves (413 from
 * the aggregator, 408 from the client timeouts), so that the request still gets its record.
 *
 * @param callId the id the answer carried
 * @param error what the client was told
 * @param startNanos ticker time the request (or its wait) started
 */
record RequestRefused(String callId, ProxyError error, long startNanos) {

    RequestRefused {
        requireNonNull(callId, "callId");
        requireNonNull(error, "error");
    }
}
