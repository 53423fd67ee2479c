package dev.llmproxy.proxy.upstream;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * The upstream HTTP client of the whole server: one connection pool per event loop, so a request is always served
 * by a connection on its client connection's event loop and nothing is handed between threads.
 *
 * <p>Thread-safety: thread-safe; each pool is used only from its own event loop.
 */
public final class UpstreamClient implements Upstream {
    private final UpstreamConnector connector;
    private final int maxIdlePerOrigin;
    private final long idleTimeoutNanos;
    private final LongSupplier nanoTicker;
    private final ConcurrentMap<EventLoop, UpstreamPool> pools = new ConcurrentHashMap<>();

    /**
     * @param connector opens new connections
     * @param maxIdlePerOrigin idle connections kept per origin and event loop
     * @param idleTimeout how long an idle connection is kept
     * @param nanoTicker monotonic time in nanoseconds
     */
    public UpstreamClient(
            UpstreamConnector connector, int maxIdlePerOrigin, Duration idleTimeout, LongSupplier nanoTicker) {
        this.connector = requireNonNull(connector, "connector");
        if (maxIdlePerOrigin < 1) {
            throw new IllegalArgumentException("maxIdlePerOrigin: " + maxIdlePerOrigin + " (expected: > 0)");
        }
        this.maxIdlePerOrigin = maxIdlePerOrigin;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.nanoTicker = requireNonNull(nanoTicker, "nanoTicker");
    }

    /** The connector, to prepare TLS contexts at start-up. */
    public UpstreamConnector connector() {
        return connector;
    }

    @Override
    public void acquire(EventLoop loop, Origin origin, int connectTimeoutMillis, UpstreamExchange exchange) {
        pool(loop).acquire(origin, connectTimeoutMillis, exchange);
    }

    private UpstreamPool pool(EventLoop loop) {
        UpstreamPool pool = pools.get(loop);
        if (pool != null) {
            return pool;
        }
        // Only the loop's own thread creates its pool, so this never races for one key.
        return pools.computeIfAbsent(
                loop, l -> new UpstreamPool(l, connector, maxIdlePerOrigin, idleTimeoutNanos, nanoTicker));
    }
}
