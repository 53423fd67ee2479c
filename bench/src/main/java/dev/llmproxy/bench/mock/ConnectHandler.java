package dev.llmproxy.bench.mock;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Handles the one {@code CONNECT} request of a {@link MockConnectProxy} client connection. Inbound:
 * {@link FullHttpRequest}. Once the target is connected, it removes the HTTP handlers and itself, writes the raw
 * {@code 200} status line and installs {@link RelayHandler}s on both channels. The target channel runs on the client
 * channel's event loop, so the hand-over needs no synchronisation.
 *
 * <p>Thread-safety: one instance per connection, confined to its event loop.
 */
final class ConnectHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final byte[] ESTABLISHED =
            "HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final MockTransport transport;
    private final AtomicInteger connectCount;
    private final Queue<String> connectTargets;

    ConnectHandler(MockTransport transport, AtomicInteger connectCount, Queue<String> connectTargets) {
        this.transport = transport;
        this.connectCount = connectCount;
        this.connectTargets = connectTargets;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!HttpMethod.CONNECT.equals(request.method())) {
            fail(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED);
            return;
        }
        String target = request.uri();
        connectCount.incrementAndGet();
        connectTargets.add(target);
        int colon = target.lastIndexOf(':');
        if (colon <= 0) {
            fail(ctx, HttpResponseStatus.BAD_REQUEST);
            return;
        }
        String host = target.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(target.substring(colon + 1));
        } catch (NumberFormatException e) {
            fail(ctx, HttpResponseStatus.BAD_REQUEST);
            return;
        }
        Channel inbound = ctx.channel();
        inbound.config().setAutoRead(false);
        ChannelFuture connect = new Bootstrap()
                .group(inbound.eventLoop())
                .channel(transport.socketChannelClass())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new RelayHandler(inbound))
                .connect(host, port);
        connect.addListener((ChannelFutureListener) future -> {
            if (future.isSuccess()) {
                establish(ctx, future.channel());
            } else {
                fail(ctx, HttpResponseStatus.BAD_GATEWAY);
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Clients under test may reset the connection at any time; there is nothing to report.
        ctx.close();
    }

    private void establish(ChannelHandlerContext ctx, Channel outbound) {
        Channel inbound = ctx.channel();
        if (!inbound.isActive()) {
            outbound.close();
            return;
        }
        inbound.pipeline().remove(MockConnectProxy.AGGREGATOR);
        inbound.pipeline().remove(MockConnectProxy.HTTP);
        inbound.pipeline().replace(this, "relay", new RelayHandler(outbound));
        ByteBuf established = inbound.alloc().buffer(ESTABLISHED.length).writeBytes(ESTABLISHED);
        inbound.writeAndFlush(established);
        inbound.config().setAutoRead(true);
        outbound.config().setAutoRead(true);
    }

    private static void fail(ChannelHandlerContext ctx, HttpResponseStatus status) {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
        response.headers()
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
