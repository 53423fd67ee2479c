package dev.llmproxy.bench.mock;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal HTTP CONNECT proxy on {@code 127.0.0.1} (RFC 9110 §9.3.6), for testing a client's {@code HTTPS_PROXY}
 * support: it answers {@code CONNECT host:port} with {@code 200 Connection Established} and then relays bytes both
 * ways until either side closes. Other methods get 405; an unreachable target gets 502.
 *
 * <p>Thread-safety: thread-safe; the counters may be read from any thread while tunnels run.
 */
public final class MockConnectProxy implements AutoCloseable {
    static final String HTTP = "http";
    static final String AGGREGATOR = "aggregator";
    static final String CONNECT = "connect";

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final AtomicInteger connectCount;
    private final Queue<String> connectTargets;
    private boolean closed;

    private MockConnectProxy(
            EventLoopGroup group, Channel serverChannel, AtomicInteger connectCount, Queue<String> connectTargets) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.connectCount = connectCount;
        this.connectTargets = connectTargets;
    }

    /**
     * Starts a proxy on an ephemeral port of {@code 127.0.0.1} and returns once it accepts connections.
     *
     * @throws IllegalStateException when no port can be bound
     */
    public static MockConnectProxy start() {
        MockTransport transport = MockTransport.select(true);
        EventLoopGroup group = transport.newGroup(1, "mock-connect-proxy");
        AtomicInteger connectCount = new AtomicInteger();
        Queue<String> connectTargets = new ConcurrentLinkedQueue<>();
        ChannelFuture bind = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(HTTP, new HttpServerCodec())
                                .addLast(AGGREGATOR, new HttpObjectAggregator(8192))
                                .addLast(CONNECT, new ConnectHandler(transport, connectCount, connectTargets));
                    }
                })
                .bind("127.0.0.1", 0)
                .awaitUninterruptibly();
        if (!bind.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IllegalStateException("cannot start the mock CONNECT proxy", bind.cause());
        }
        return new MockConnectProxy(group, bind.channel(), connectCount, connectTargets);
    }

    /** Returns the bound port on {@code 127.0.0.1}. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Returns the number of CONNECT requests received (tunnelled or not). */
    public int connectCount() {
        return connectCount.get();
    }

    /** Returns the {@code host:port} targets of the CONNECT requests received, oldest first (a snapshot). */
    public List<String> connectTargets() {
        return List.copyOf(connectTargets);
    }

    /** Closes every tunnel and stops the proxy. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
