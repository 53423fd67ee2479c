package dev.llmproxy.proxy.upstream;

import io.netty.channel.EventLoop;

/**
 * Where attempts get their upstream connections: {@link UpstreamClient} in production, an in-memory channel in the
 * call state machine's tests.
 *
 * <p>Thread-safety: implementations are shared by every event loop.
 */
public interface Upstream {

    /**
     * Leases a connection to {@code origin} to {@code exchange}, which is called back on {@code loop}.
     *
     * @param loop the caller's event loop; must be the current thread
     */
    void acquire(EventLoop loop, Origin origin, int connectTimeoutMillis, UpstreamExchange exchange);
}
