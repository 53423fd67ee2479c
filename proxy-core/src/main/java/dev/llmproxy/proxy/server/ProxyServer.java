package dev.llmproxy.proxy.server;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.upstream.Origin;
import dev.llmproxy.proxy.upstream.Upstream;
import dev.llmproxy.proxy.upstream.UpstreamClient;
import dev.llmproxy.proxy.upstream.UpstreamConnector;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running proxy: one event loop group serving client connections and the upstream connections they use.
 *
 * <p>Thread-safety: {@link #start} and {@link #stop} may be called from any thread (the stop usually comes from the
 * JVM's shutdown hook on SIGTERM).
 */
public final class ProxyServer {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);
    private static final Duration UPSTREAM_IDLE_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_IDLE_PER_ORIGIN = 256;

    private final ServerContext context;
    private final EventLoopGroup group;
    private final Channel serverChannel;

    private ProxyServer(ServerContext context, EventLoopGroup group, Channel serverChannel) {
        this.context = context;
        this.group = group;
        this.serverChannel = serverChannel;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IllegalStateException if the address cannot be bound
     */
    public static ProxyServer start(ServerComponents components) {
        requireNonNull(components, "components");
        ServerSettings settings = components.settings();
        Transport transport = components.transport();
        EventLoopGroup group = transport.newGroup(settings.eventLoops(), new DefaultThreadFactory("llmproxy-io"));
        try {
            Upstream upstream = components.upstream();
            String tls = "n/a";
            if (upstream == null) {
                UpstreamClient client = new UpstreamClient(
                        new UpstreamConnector(transport.socketChannelType(), transport.datagramChannelType(),
                                components.forwardProxy()),
                        MAX_IDLE_PER_ORIGIN,
                        UPSTREAM_IDLE_TIMEOUT,
                        components.ticker());
                prepareTls(client, components.routes());
                tls = client.connector().tlsImplementation();
                upstream = client;
            }
            ServerContext context = new ServerContext(components, upstream,
                    new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE));
            ChannelFuture bind = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannelType())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .handler(new AcceptErrorHandler(components.ticker()))
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                    .childHandler(new ServerInitializer(context))
                    .bind(settings.host(), settings.port())
                    .awaitUninterruptibly();
            // Not syncUninterruptibly(): it rethrows the checked BindException undeclared, past the catch below.
            if (!bind.isSuccess()) {
                throw new IllegalStateException(String.valueOf(bind.cause().getMessage()), bind.cause());
            }
            Channel channel = bind.channel();
            context.health.start(group.next());
            log.info("llmproxy listening on {} ({} transport, {} event loop(s), upstream TLS: {})",
                    channel.localAddress(), transport.name(), settings.eventLoops(), tls);
            return new ProxyServer(context, group, channel);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot listen on " + settings.host() + ":" + settings.port() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Builds the TLS contexts of every provider origin now, so that a bad CA bundle fails the start, not a call. */
    private static void prepareTls(UpstreamClient client, RouteTable routes) {
        for (Deployment deployment : routes.deployments()) {
            Origin origin = deployment.origin();
            if (origin != null && origin.secure() && !deployment.isMock()) {
                client.connector().prepare(origin.tls());
            }
        }
    }

    /** The bound address (useful with port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Model calls in progress right now. */
    public int activeCalls() {
        return context.activeCalls.get();
    }

    /** Request body bytes held in memory right now (see {@link ServerComponents#requestBufferBytes()}). */
    public long bufferedRequestBytes() {
        return context.requestBudget.used();
    }

    /**
     * Stops gracefully: stops accepting, closes idle keep-alive connections, lets in-flight requests and streams
     * finish for up to the drain grace period, then closes everything. Blocks the calling thread (never call it on
     * an event loop).
     *
     * @return true if every in-flight call finished within the grace period
     */
    public boolean stop() {
        context.startDraining();
        context.health.stop();
        serverChannel.close().syncUninterruptibly();
        for (Channel channel : context.channels) {
            channel.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        }
        long deadline = System.nanoTime() + context.settings.drainGrace().toNanos();
        while (context.activeCalls.get() > 0 && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = context.activeCalls.get();
        if (left > 0) {
            log.warn("drain grace period of {} ended with {} call(s) still in progress; closing them",
                    context.settings.drainGrace(), left);
        }
        context.channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        return left == 0;
    }
}
