package dev.llmproxy.proxy.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Upstream connections on in-memory channels, for tests of the call state machine: each lease opens an
 * {@link EmbeddedChannel} whose only handler is the real {@link UpstreamConnection}. A test reads the request an
 * attempt sent, answers with response parts, closes the connection, and sees whether the attempt gave it back to the
 * pool or closed it. Connects can be made to fail. Nothing runs on another thread.
 */
public final class EmbeddedUpstream implements Upstream {
    private final Deque<Throwable> connectFailures = new ArrayDeque<>();
    private final List<Connection> connections = new ArrayList<>();

    /** The next connect fails with {@code cause}. */
    public void failNextConnect(Throwable cause) {
        connectFailures.add(cause);
    }

    /** Every connection opened, in order. */
    public List<Connection> connections() {
        return connections;
    }

    /** The connection opened last. */
    public Connection last() {
        if (connections.isEmpty()) {
            throw new AssertionError("no upstream connection was opened");
        }
        return connections.get(connections.size() - 1);
    }

    @Override
    public void acquire(EventLoop loop, Origin origin, int connectTimeoutMillis, UpstreamExchange exchange) {
        Throwable failure = connectFailures.poll();
        if (failure != null) {
            exchange.onConnectFailed(failure);
            return;
        }
        Connection connection = new Connection(origin);
        connections.add(connection);
        connection.relay.lease(exchange);
        exchange.onConnected(connection.relay);
    }

    /** One in-memory upstream connection. */
    public static final class Connection implements ConnectionOwner {
        private final Origin origin;
        private final EmbeddedChannel channel = new EmbeddedChannel();
        private final UpstreamConnection relay;
        private int returnedToPool;

        Connection(Origin origin) {
            this.origin = origin;
            this.relay = new UpstreamConnection(this, origin);
            channel.pipeline().addLast(relay);
        }

        /** Where the attempt wanted to connect. */
        public Origin origin() {
            return origin;
        }

        /** The request the attempt sent; the caller releases it. */
        public FullHttpRequest request() {
            FullHttpRequest request = channel.readOutbound();
            if (request == null) {
                throw new AssertionError("no request was sent on " + origin);
            }
            return request;
        }

        /** Delivers response parts in one read cycle (ownership passes to the connection). */
        public void respond(HttpObject... parts) {
            channel.writeInbound((Object[]) parts);
        }

        /** The provider closes the connection. */
        public void close() {
            channel.close();
        }

        /** Whether the connection is still open (the attempt closes it when it abandons a response). */
        public boolean isOpen() {
            return channel.isOpen();
        }

        /** Whether reads are on (off while the client cannot take more). */
        public boolean isReading() {
            return channel.config().isAutoRead();
        }

        /** How often the connection was given back for reuse. */
        public int returnedToPool() {
            return returnedToPool;
        }

        /** Releases whatever is left in the channel. */
        public void finish() {
            channel.finishAndReleaseAll();
        }

        @Override
        public void offer(UpstreamConnection connection) {
            returnedToPool++;
        }

        @Override
        public void remove(UpstreamConnection connection) {
            // An idle connection closed: nothing to forget here.
        }
    }
}
