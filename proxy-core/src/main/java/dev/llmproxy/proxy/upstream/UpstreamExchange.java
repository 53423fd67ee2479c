package dev.llmproxy.proxy.upstream;

import io.netty.handler.codec.http.HttpObject;
import org.jspecify.annotations.Nullable;

/**
 * The party using an upstream connection for one request: it receives the connection, then the response. Every
 * method is called on the event loop the exchange was started on (the client connection's), so implementations need
 * no synchronization.
 */
public interface UpstreamExchange {

    /** The connection is ready; the exchange now leases it until it calls release or discard. */
    void onConnected(UpstreamConnection connection);

    /** No connection could be made (DNS, TCP, proxy tunnel or TLS failure). */
    void onConnectFailed(Throwable cause);

    /** A part of the response; ownership of {@code message} passes to the exchange, which must release it. */
    void onResponsePart(HttpObject message);

    /** The current read cycle ended: a good moment to flush what was written downstream. */
    void onReadComplete();

    /**
     * The response could not be decoded (invalid status line or framing, headers over the limit, a malformed chunk).
     * The connection is already closed and will never be reused; no other callback follows.
     */
    void onMalformedResponse(Throwable cause);

    /** The connection closed or failed while leased; {@code cause} is null for a plain close. */
    void onConnectionLost(@Nullable Throwable cause);

    /** The connection takes more request bytes again, after {@link UpstreamConnection#isWritable()} said no. */
    default void onWritable() {}
}
