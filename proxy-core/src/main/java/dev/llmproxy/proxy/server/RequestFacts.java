package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.call.CallIds;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The facts of a request settled when it arrives.
 *
 * @param callId the request id ({@code x-litellm-call-id})
 * @param startNanos when it arrived, on the server's ticker
 * @param keepAlive whether the connection stays open after the answer
 * @param http10 whether the request is HTTP/1.0
 */
record RequestFacts(String callId, long startNanos, boolean keepAlive, boolean http10) {

    /** The facts of the request {@code head} introduces, arriving now. */
    static RequestFacts arriving(HttpRequest head, ServerContext server) {
        return new RequestFacts(CallIds.next(), server.ticker.getAsLong(),
                HttpUtil.isKeepAlive(head) && !server.isDraining(), head.protocolVersion().equals(HttpVersion.HTTP_1_0));
    }
}
