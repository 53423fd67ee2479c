package dev.llmproxy.bench.mock;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import org.jspecify.annotations.Nullable;

/**
 * Builds a mock provider connection's pipeline, in this order: {@value #TLS} (only with TLS), {@value #HTTP},
 * {@value #UPLOADS} (OpenAI's upload endpoints, read without collecting the body), {@value #AGGREGATOR},
 * {@value #HANDLER}.
 *
 * <p>Thread-safety: {@code @Sharable} by nature of {@link ChannelInitializer}; holds only immutable or thread-safe
 * references.
 */
final class MockServerInitializer extends ChannelInitializer<SocketChannel> {
    static final String TLS = "tls";
    static final String HTTP = "http";
    static final String UPLOADS = "uploads";
    static final String AGGREGATOR = "aggregator";
    static final String HANDLER = "mock";

    private final MockState state;
    private final @Nullable SslContext sslContext;

    MockServerInitializer(MockState state, @Nullable SslContext sslContext) {
        this.state = state;
        this.sslContext = sslContext;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (sslContext != null) {
            pipeline.addLast(TLS, sslContext.newHandler(channel.alloc()));
        }
        pipeline.addLast(HTTP, new HttpServerCodec());
        pipeline.addLast(UPLOADS, new MockUploadHandler(state));
        pipeline.addLast(AGGREGATOR, new HttpObjectAggregator(state.config.maxRequestBodyBytes()));
        pipeline.addLast(HANDLER, new MockRequestHandler(state));
    }
}
