package dev.llmproxy.proxy.upstream;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Opens upstream connections: TCP (on the caller's event loop), then the HTTP CONNECT tunnel when a forward proxy
 * applies, then TLS with SNI and host-name verification, then the HTTP/1.1 client codec. The callback runs on that
 * event loop once the connection can carry a request.
 *
 * <p>Names are resolved asynchronously by Netty's DNS resolver (which reads /etc/hosts first); through a forward
 * proxy the name is left for the proxy to resolve, as curl does.
 *
 * <p>OpenSSL (netty-tcnative, BoringSSL) is used where its native library loads, the JDK's TLS otherwise.
 *
 * <p>Thread-safety: thread-safe; SSL contexts are built once per {@link TlsPolicy} and shared.
 */
public final class UpstreamConnector {
    /** Pipeline name of the HTTP client codec. */
    static final String CODEC = "codec";
    /** Pipeline name of the {@link UpstreamHandler}. */
    static final String RELAY = "relay";

    private final Class<? extends SocketChannel> channelType;
    private final AddressResolverGroup<InetSocketAddress> resolver;
    private final ForwardProxy proxies;
    private final SslProvider sslProvider;
    private final ConcurrentMap<TlsPolicy, SslContext> sslContexts = new ConcurrentHashMap<>();

    /**
     * @param channelType the socket channel type of the event loops' transport
     * @param datagramChannelType the datagram channel type for DNS queries
     * @param proxies forward proxy settings
     */
    public UpstreamConnector(
            Class<? extends SocketChannel> channelType,
            Class<? extends DatagramChannel> datagramChannelType,
            ForwardProxy proxies) {
        this.channelType = requireNonNull(channelType, "channelType");
        this.proxies = requireNonNull(proxies, "proxies");
        this.resolver = new DnsAddressResolverGroup(
                new DnsNameResolverBuilder().datagramChannelType(datagramChannelType).socketChannelType(channelType));
        this.sslProvider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** "OpenSSL" or "JDK", for the start-up log line. */
    public String tlsImplementation() {
        return sslProvider == SslProvider.OPENSSL ? "OpenSSL " + OpenSsl.versionString() : "JDK";
    }

    /**
     * Builds the TLS context for {@code policy} now, so that a bad CA bundle stops the start instead of the first
     * request, and the first request does not pay for it.
     *
     * @throws IllegalArgumentException if the CA bundle cannot be read
     */
    public void prepare(TlsPolicy policy) {
        sslContext(policy);
    }

    /** Callback of {@link #connect}; invoked on the event loop that was passed to it. */
    interface ConnectListener {
        void onConnected(Channel channel);

        void onConnectFailed(Throwable cause);
    }

    /** Opens a connection to {@code origin} on {@code loop}, handing it to {@code pool} for its whole life. */
    void connect(EventLoop loop, Origin origin, int connectTimeoutMillis, UpstreamPool pool, ConnectListener listener) {
        ForwardProxy.ProxyAddress proxy = proxies.proxyFor(origin);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .resolver(proxy == null ? resolver : NoopAddressResolverGroup.INSTANCE)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initPipeline(ch.pipeline(), origin, proxy, pool);
                    }
                });
        // Unresolved on purpose: the bootstrap's resolver (async DNS) resolves it, or the proxy does.
        ChannelFuture connect = bootstrap.connect(InetSocketAddress.createUnresolved(origin.host(), origin.port()));
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                listener.onConnectFailed(f.cause());
                return;
            }
            Future<?> ready = readiness(connect.channel());
            if (ready == null) {
                listener.onConnected(connect.channel());
                return;
            }
            ready.addListener(r -> {
                if (r.isSuccess()) {
                    listener.onConnected(connect.channel());
                } else {
                    connect.channel().close();
                    listener.onConnectFailed(r.cause());
                }
            });
        });
    }

    private void initPipeline(
            ChannelPipeline pipeline, Origin origin, ForwardProxy.@Nullable ProxyAddress proxy, UpstreamPool pool) {
        if (proxy != null) {
            InetSocketAddress proxyAddress = new InetSocketAddress(proxy.host(), proxy.port());
            ProxyHandler tunnel = proxy.user() == null
                    ? new HttpProxyHandler(proxyAddress)
                    : new HttpProxyHandler(proxyAddress, proxy.user(), requireNonNull(proxy.password()));
            pipeline.addLast("proxy", tunnel);
        }
        if (origin.secure()) {
            SslHandler ssl = sslContext(origin.tls()).newHandler(pipeline.channel().alloc(), origin.host(), origin.port());
            pipeline.addLast("tls", ssl);
        }
        // Response headers are validated: they are relayed to clients, so a provider (or anything between it and
        // us) must not be able to smuggle control characters into the client's response.
        pipeline.addLast(CODEC, new HttpClientCodec(4096, 16 * 1024, 64 * 1024, false, true));
        pipeline.addLast(RELAY, new UpstreamConnection(pool, origin));
    }

    private static @Nullable Future<?> readiness(Channel channel) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl != null) {
            return ssl.handshakeFuture();
        }
        ProxyHandler tunnel = channel.pipeline().get(ProxyHandler.class);
        return tunnel == null ? null : tunnel.connectFuture();
    }

    private SslContext sslContext(TlsPolicy policy) {
        SslContext existing = sslContexts.get(policy);
        if (existing != null) {
            return existing;
        }
        SslContext created = buildSslContext(policy);
        SslContext raced = sslContexts.putIfAbsent(policy, created);
        return raced == null ? created : raced;
    }

    private SslContext buildSslContext(TlsPolicy policy) {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(sslProvider);
        if (!policy.verify()) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
            builder.endpointIdentificationAlgorithm("HTTPS");
            if (policy.caBundle() != null) {
                try (InputStream in = Files.newInputStream(policy.caBundle())) {
                    builder.trustManager(in);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read CA bundle " + policy.caBundle(), e);
                }
            }
        }
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot set up TLS for upstream connections: " + e.getMessage(), e);
        }
    }
}
