package dev.llmproxy.bench.load;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A one-thread loopback HTTP server for load generator tests: JSON replies (optionally 500, optionally stalling all
 * responses for a while once a given request arrives) or SSE streams (paced or buffered).
 */
final class TestHttpServer implements AutoCloseable {

    enum Mode { JSON, ERROR, PACED_SSE, BUFFERED_SSE }

    record Config(Mode mode, long stallAtRequest, long stallMillis, int events, long intervalMillis) {
        static Config json() {
            return new Config(Mode.JSON, 0, 0, 0, 0);
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Config config;
    private final Channel server;
    final AtomicLong requests = new AtomicLong();
    volatile String lastRequestBody = "";
    volatile String lastRequestUri = "";
    private final List<Runnable> held = new ArrayList<>();
    private boolean stalled;

    TestHttpServer(Config config) throws InterruptedException {
        this.config = config;
        this.server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16), new Handler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    RequestTemplate request() {
        return RequestTemplate.postJson(address(), "/v1/chat/completions", "{\"model\":\"m\"}");
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            long n = requests.incrementAndGet();
            lastRequestBody = request.content().toString(UTF_8);
            lastRequestUri = request.uri();
            if (n == config.stallAtRequest()) {
                stalled = true;
                ctx.executor().schedule(this::release, config.stallMillis(), TimeUnit.MILLISECONDS);
            }
            Runnable reply = () -> reply(ctx);
            if (stalled) {
                held.add(reply);
            } else {
                reply.run();
            }
        }

        private void release() {
            stalled = false;
            List<Runnable> replies = List.copyOf(held);
            held.clear();
            replies.forEach(Runnable::run);
        }

        private void reply(ChannelHandlerContext ctx) {
            switch (config.mode()) {
                case JSON -> ctx.writeAndFlush(json(HttpResponseStatus.OK));
                case ERROR -> ctx.writeAndFlush(json(HttpResponseStatus.INTERNAL_SERVER_ERROR));
                case PACED_SSE -> paced(ctx, 0);
                case BUFFERED_SSE -> {
                    long arrived = System.nanoTime();
                    ctx.executor().schedule(() -> buffered(ctx, arrived), config.intervalMillis() * config.events(),
                            TimeUnit.MILLISECONDS);
                }
            }
        }

        private void paced(ChannelHandlerContext ctx, int sent) {
            if (sent == 0) {
                ctx.writeAndFlush(sseHead());
            }
            if (sent == config.events()) {
                ctx.write(new DefaultHttpContent(text("data: [DONE]\n\n")));
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                return;
            }
            ctx.writeAndFlush(new DefaultHttpContent(text(event(sent, System.nanoTime()))));
            ctx.executor().schedule(() -> paced(ctx, sent + 1), config.intervalMillis(), TimeUnit.MILLISECONDS);
        }

        /** The events as a proxy that held them all would send them: stamped when its upstream sent each. */
        private void buffered(ChannelHandlerContext ctx, long arrived) {
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < config.events(); i++) {
                all.append(event(i, arrived + TimeUnit.MILLISECONDS.toNanos(config.intervalMillis()) * i));
            }
            all.append("data: [DONE]\n\n");
            ctx.write(sseHead());
            ctx.write(new DefaultHttpContent(text(all.toString())));
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    /** Event {@code i}, its content the send stamp of {@code sentNanos} as the bench's mock writes it. */
    private static String event(int i, long sentNanos) {
        return "data: {\"id\":" + i + ",\"choices\":[{\"delta\":{\"content\":\""
                + String.format("~%016x ", sentNanos) + "\"}}]}\n\n";
    }

    private static HttpResponse sseHead() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        return head;
    }

    private static FullHttpResponse json(HttpResponseStatus status) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                text("{\"id\":\"x\",\"choices\":[]}"));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, UTF_8);
    }
}
