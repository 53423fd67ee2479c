package dev.llmproxy.proxy.server;

import static java.util.Objects.requireNonNull;

/**
 * A user event that a handler before {@link ClientHandler} fires after it answered a request successfully itself (a
 * CORS preflight), so that the request still gets its record.
 *
 * @param callId the id the answer carried
 * @param status the status the answer had
 * @param startNanos ticker time the request started
 */
record RequestAnswered(String callId, int status, long startNanos) {

    RequestAnswered {
        requireNonNull(callId, "callId");
    }
}
