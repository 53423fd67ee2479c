package dev.llmproxy.proxy.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Builds a client connection's pipeline, in this order:
 * <ol>
 *   <li>{@value #CODEC}: HTTP/1.1 decoding with request-line and header limits (414 and 431 beyond them);
 *   <li>{@value #AGGREGATOR}: the bounded request body (413 beyond it);
 *   <li>{@value #HANDLER}: dispatch, auth, and the model call that relays the response.
 * </ol>
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
    static final String CODEC = "codec";
    static final String AGGREGATOR = "aggregator";
    static final String HANDLER = "handler";

    private static final int MAX_CHUNK_BYTES = 64 * 1024;

    private final ServerContext server;

    ServerInitializer(ServerContext server) {
        this.server = server;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        server.channels.add(ch);
        addHandlers(ch.pipeline(), server);
    }

    /** Adds the handlers of a client connection to {@code pipeline} (also used by tests on embedded channels). */
    static void addHandlers(ChannelPipeline pipeline, ServerContext server) {
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(ServerSettings.MAX_INITIAL_LINE_BYTES)
                .setMaxHeaderSize(server.settings.maxHeaderBytes())
                .setMaxChunkSize(MAX_CHUNK_BYTES);
        pipeline.addLast(CODEC, new HttpServerCodec(decoder))
                .addLast(AGGREGATOR, new RequestAggregator(server.settings.maxRequestBytes()))
                .addLast(HANDLER, new ClientHandler(server));
    }
}
