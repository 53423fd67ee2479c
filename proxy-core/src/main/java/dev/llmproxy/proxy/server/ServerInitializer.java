package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.passthrough.PassThroughRoutes;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.function.LongSupplier;

/**
 * Builds a client connection's pipeline, in this order:
 * <ol>
 *   <li>({@value #LINGER}: added only once a refused request's response is written; discards what the client still
 *       sends, then closes (nginx's lingering close), so that the client reads the response;)
 *   <li>{@value #CODEC}: HTTP/1.1 decoding with request-line and header limits (414 and 431 beyond them);
 *   <li>{@value #TIMEOUTS}: keep-alive, request-head and request-body timeouts (close, 408, 408); none while a
 *       response is in progress;
 *   <li>{@value #CORS}: CORS preflights answered, {@code Access-Control-Allow-*} added to responses
 *       ({@link CorsHandler});
 *   <li>{@value #AUTH}: the key checked on the request head, a refused request answered 401 before its body is read
 *       ({@link HeadAuthHandler});
 *   <li>{@value #AGGREGATOR}: the bounded request body (413 beyond it, 503 when the server-wide
 *       {@link RequestBudget} is spent; both answered with a lingering close); an upload's head and body parts
 *       are passed on as they arrive instead ({@link ApiPath#streamsBody});
 *   <li>{@value #HANDLER}: dispatch, auth, and the model call that relays the response.
 * </ol>
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
    static final String LINGER = "linger";
    static final String CODEC = "codec";
    static final String TIMEOUTS = "timeouts";
    static final String CORS = "cors";
    static final String AUTH = "auth";
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
        HeadAuthResults authResults = new HeadAuthResults();
        addHttpHandlers(pipeline, server.settings, server.ticker, server.requestBudget, server.passThrough);
        pipeline.addBefore(AGGREGATOR, CORS, new CorsHandler(server.cors, authResults, server.ticker));
        pipeline.addBefore(AGGREGATOR, AUTH, new HeadAuthHandler(server.authenticator, server.clientIps, authResults,
                server.ticker, server.passThrough));
        pipeline.addLast(HANDLER, new ClientHandler(server, authResults));
    }

    /**
     * Adds every handler before {@value #HANDLER}: what turns the connection's bytes into bounded, timely requests
     * (tests put their own last handler after them).
     */
    static void addHttpHandlers(ChannelPipeline pipeline, ServerSettings settings, LongSupplier ticker) {
        addHttpHandlers(pipeline, settings, ticker, new RequestBudget(Long.MAX_VALUE));
    }

    /** Adds every handler before {@value #AUTH}, with bodies counted against {@code budget}. */
    static void addHttpHandlers(
            ChannelPipeline pipeline, ServerSettings settings, LongSupplier ticker, RequestBudget budget) {
        addHttpHandlers(pipeline, settings, ticker, budget, PassThroughRoutes.NONE);
    }

    /** Adds every handler before {@value #AUTH}, with pass-through requests streamed like uploads. */
    static void addHttpHandlers(ChannelPipeline pipeline, ServerSettings settings, LongSupplier ticker,
            RequestBudget budget, PassThroughRoutes passThrough) {
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(ServerSettings.MAX_INITIAL_LINE_BYTES)
                .setMaxHeaderSize(settings.maxHeaderBytes())
                .setMaxChunkSize(MAX_CHUNK_BYTES);
        pipeline.addLast(CODEC, new HttpServerCodec(decoder))
                .addLast(TIMEOUTS, new ClientTimeoutHandler(settings.clientTimeouts(), ticker, passThrough))
                .addLast(AGGREGATOR, new RequestAggregator(settings.maxRequestBytes(), settings.maxUploadBytes(), ticker,
                        budget, passThrough));
    }
}
