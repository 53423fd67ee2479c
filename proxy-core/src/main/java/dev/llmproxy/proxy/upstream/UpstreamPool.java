package dev.llmproxy.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The idle keep-alive connections of one event loop, per origin. A request takes the most recently used idle
 * connection (its socket is the least likely to have been closed by the upstream), or opens a new one.
 *
 * <p>Connections idle longer than the idle timeout are closed by a sweep every few seconds; most providers close
 * idle connections after about a minute, and a sweep per loop is cheaper than a timer per connection.
 *
 * <p>Thread-safety: confined to its event loop.
 */
final class UpstreamPool implements ConnectionOwner {
    private final EventLoop loop;
    private final UpstreamConnector connector;
    private final int maxIdlePerOrigin;
    private final long idleTimeoutNanos;
    private final LongSupplier nanoTicker;
    private final Map<Origin, ArrayDeque<UpstreamConnection>> idle = new HashMap<>();

    UpstreamPool(
            EventLoop loop,
            UpstreamConnector connector,
            int maxIdlePerOrigin,
            long idleTimeoutNanos,
            LongSupplier nanoTicker) {
        this.loop = loop;
        this.connector = connector;
        this.maxIdlePerOrigin = maxIdlePerOrigin;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.nanoTicker = nanoTicker;
        long sweepNanos = Math.max(TimeUnit.SECONDS.toNanos(1), idleTimeoutNanos / 4);
        loop.scheduleWithFixedDelay(this::closeExpired, sweepNanos, sweepNanos, TimeUnit.NANOSECONDS);
    }

    /** Leases a connection to {@code origin} to {@code exchange}, reusing an idle one when possible. */
    void acquire(Origin origin, int connectTimeoutMillis, UpstreamExchange exchange) {
        ArrayDeque<UpstreamConnection> connections = idle.get(origin);
        if (connections != null) {
            UpstreamConnection connection;
            while ((connection = connections.pollLast()) != null) {
                if (connection.isUsable()) {
                    connection.lease(exchange);
                    exchange.onConnected(connection);
                    return;
                }
            }
        }
        connector.connect(loop, origin, connectTimeoutMillis, this, new UpstreamConnector.ConnectListener() {
            @Override
            public void onConnected(Channel channel) {
                UpstreamConnection connection = channel.pipeline().get(UpstreamConnection.class);
                connection.lease(exchange);
                exchange.onConnected(connection);
            }

            @Override
            public void onConnectFailed(Throwable cause) {
                exchange.onConnectFailed(cause);
            }
        });
    }

    @Override
    public void offer(UpstreamConnection connection) {
        if (!connection.isUsable()) {
            return;
        }
        ArrayDeque<UpstreamConnection> connections =
                idle.computeIfAbsent(connection.origin(), o -> new ArrayDeque<>());
        if (connections.size() >= maxIdlePerOrigin) {
            connection.channel().close();
            return;
        }
        connection.markIdle(nanoTicker.getAsLong());
        connections.addLast(connection);
    }

    @Override
    public void remove(UpstreamConnection connection) {
        ArrayDeque<UpstreamConnection> connections = idle.get(connection.origin());
        if (connections != null) {
            connections.remove(connection);
        }
    }

    /** Closes every idle connection (used when the server stops). */
    void closeAll() {
        for (ArrayDeque<UpstreamConnection> connections : idle.values()) {
            for (UpstreamConnection connection : connections) {
                connection.channel().close();
            }
            connections.clear();
        }
    }

    private void closeExpired() {
        long now = nanoTicker.getAsLong();
        for (ArrayDeque<UpstreamConnection> connections : idle.values()) {
            for (Iterator<UpstreamConnection> it = connections.iterator(); it.hasNext(); ) {
                UpstreamConnection connection = it.next();
                if (now - connection.idleSinceNanos() >= idleTimeoutNanos) {
                    it.remove();
                    connection.channel().close();
                }
            }
        }
    }
}
