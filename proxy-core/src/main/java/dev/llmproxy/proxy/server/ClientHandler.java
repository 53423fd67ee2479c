package dev.llmproxy.proxy.server;

import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.json.RequestScanner;
import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.proxy.route.Endpoint;
import dev.llmproxy.proxy.route.ModelRoute;
import dev.llmproxy.proxy.route.Target;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client connection: dispatches each complete request to a built-in answer or to a model
 * call, one request at a time. In: {@link FullHttpRequest} (from the aggregator). Out: {@link FullHttpResponse}, or a
 * response head followed by content parts written by a {@link ModelCall}.
 *
 * <p>Pipelined requests wait in a queue (and reading stops) until the response before them is complete, because
 * HTTP/1.1 responses must leave in request order.
 *
 * <p>Thread-safety: one instance per connection, confined to the connection's event loop.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

    private final ServerContext server;
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable ModelCall current;
    private @Nullable ArrayDeque<FullHttpRequest> pipelined;
    private boolean inFlight;

    ClientHandler(ServerContext server) {
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (inFlight) {
            if (pipelined == null) {
                pipelined = new ArrayDeque<>(4);
            }
            pipelined.add(request);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        handle(ctx, request);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ModelCall call = current;
        if (call != null && ctx.channel().isWritable()) {
            call.onClientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == DrainEvent.INSTANCE) {
            if (!inFlight) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ModelCall call = current;
        current = null;
        if (call != null) {
            call.onClientGone();
        }
        releasePipelined();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("[{}] connection error: {}", ctx.channel().id(), cause.toString());
        } else {
            log.warn("[{}] unexpected error, closing the connection", ctx.channel().id(), cause);
        }
        ctx.close();
    }

    /** Called by the current call when its response is complete (or abandoned). */
    void onCallEnded(boolean keepAlive) {
        current = null;
        server.activeCalls.decrementAndGet();
        responseDone(keepAlive);
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        inFlight = true;
        long startNanos = server.ticker.getAsLong();
        String callId = CallIds.next();
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !server.isDraining();
        boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        try {
            DecoderResult decoded = request.decoderResult();
            if (decoded.isFailure()) {
                rejectUndecodable(ctx, decoded.cause(), callId);
                return;
            }
            RequestTarget target = RequestTarget.of(request.uri());
            if (target.kind() == RequestTarget.Kind.NOT_FOUND) {
                sendError(ctx, ProxyError.NOT_FOUND, "Not Found: " + pathOf(request.uri()), null, callId,
                        keepAlive, http10);
                return;
            }
            if (!request.method().equals(target.kind().method())) {
                FullHttpResponse response = Responses.error(ctx.alloc(), ProxyError.METHOD_NOT_ALLOWED,
                        "Method " + request.method() + " not allowed for " + pathOf(request.uri()), null, callId);
                response.headers().set(HttpHeaderNames.ALLOW, target.kind().method().name());
                send(ctx, response, keepAlive, http10);
                return;
            }
            if (target.kind().isAuthenticated() && !authenticate(ctx, request, callId, keepAlive, http10)) {
                return;
            }
            switch (target.kind()) {
                case LIVENESS -> send(ctx, server.builtIns.alive(callId), keepAlive, http10);
                case READINESS -> send(ctx, server.builtIns.readiness(callId), keepAlive, http10);
                case MODELS -> send(ctx, server.builtIns.modelList(callId), keepAlive, http10);
                case MODEL_INFO -> sendModel(ctx, target, callId, keepAlive, http10);
                case MODEL_CALL -> startModelCall(ctx, request, target, callId, startNanos, keepAlive, http10);
                default -> throw new IllegalStateException("unhandled target " + target.kind());
            }
        } finally {
            request.release();
        }
    }

    private boolean authenticate(
            ChannelHandlerContext ctx, FullHttpRequest request, String callId, boolean keepAlive, boolean http10) {
        AuthResult result = server.authenticator.authenticate(request.headers());
        if (result.isAccepted()) {
            return true;
        }
        if (result.failure() == AuthResult.Failure.MISSING_KEY) {
            sendError(ctx, ProxyError.MISSING_KEY,
                    "Authentication Error, No api key passed in.", null, callId, keepAlive, http10);
        } else {
            sendError(ctx, ProxyError.INVALID_KEY,
                    "Authentication Error, Invalid proxy server token passed.", null, callId, keepAlive, http10);
        }
        return false;
    }

    private void sendModel(
            ChannelHandlerContext ctx, RequestTarget target, String callId, boolean keepAlive, boolean http10) {
        String id = target.pathModel();
        FullHttpResponse response = id == null ? null : server.builtIns.model(ctx.alloc(), id, callId);
        if (response == null) {
            sendError(ctx, ProxyError.NOT_FOUND, "The model `" + id + "` does not exist", "model", callId,
                    keepAlive, http10);
            return;
        }
        send(ctx, response, keepAlive, http10);
    }

    private void startModelCall(
            ChannelHandlerContext ctx,
            FullHttpRequest request,
            RequestTarget target,
            String callId,
            long startNanos,
            boolean keepAlive,
            boolean http10) {
        Endpoint endpoint = target.endpoint();
        RequestInfo info = RequestScanner.scan(request.content());
        if (info.error() != null) {
            sendError(ctx, ProxyError.INVALID_JSON, info.error(), null, callId, keepAlive, http10);
            return;
        }
        String model = info.model() != null ? info.model() : target.pathModel();
        if (model == null || model.isEmpty()) {
            sendError(ctx, ProxyError.MISSING_FIELD, "Missing required field: model", "model", callId,
                    keepAlive, http10);
            return;
        }
        String required = requiredField(endpoint);
        if (!hasField(info, endpoint)) {
            sendError(ctx, ProxyError.MISSING_FIELD, "Missing required field: " + required, required, callId,
                    keepAlive, http10);
            return;
        }
        ModelRoute route = server.routes.resolve(model);
        if (route == null) {
            sendError(ctx, ProxyError.UNKNOWN_MODEL, "Invalid model name passed in model=" + model
                    + ". Call `/v1/models` to view available models for your key.", "model", callId,
                    keepAlive, http10);
            return;
        }
        Target picked = route.pick(ThreadLocalRandom.current());
        UpstreamRoute upstream = server.upstreamRoute(picked.deployment());
        if (!picked.deployment().provider().supported()) {
            sendError(ctx, ProxyError.PROVIDER_NOT_SUPPORTED, "Provider '" + picked.deployment().provider().name()
                    + "' (model group " + route.modelGroup() + ") is not supported by this llmproxy version yet",
                    "model", callId, keepAlive, http10);
            return;
        }
        CallContext call = new CallContext(callId, endpoint, model, route.modelGroup(), picked, upstream, info,
                startNanos, keepAlive, http10);
        server.activeCalls.incrementAndGet();
        ModelCall modelCall = upstream.deployment().mockResponse() != null
                ? new MockCall(ctx, this, server, call, request.content())
                : new ProxyCall(ctx, this, server, call, request.content());
        current = modelCall;
        modelCall.start();
    }

    private static String requiredField(Endpoint endpoint) {
        return switch (endpoint) {
            case CHAT_COMPLETIONS -> "messages";
            case COMPLETIONS -> "prompt";
            case EMBEDDINGS -> "input";
        };
    }

    private static boolean hasField(RequestInfo info, Endpoint endpoint) {
        return switch (endpoint) {
            case CHAT_COMPLETIONS -> info.hasMessages();
            case COMPLETIONS -> info.hasPrompt();
            case EMBEDDINGS -> info.hasInput();
        };
    }

    private void rejectUndecodable(ChannelHandlerContext ctx, Throwable cause, String callId) {
        ProxyError error;
        String message;
        if (cause instanceof TooLongHttpLineException) {
            error = ProxyError.URI_TOO_LONG;
            message = "Request line is longer than " + ServerSettings.MAX_INITIAL_LINE_BYTES + " bytes";
        } else if (cause instanceof TooLongHttpHeaderException) {
            error = ProxyError.HEADERS_TOO_LARGE;
            message = "Request headers are larger than " + server.settings.maxHeaderBytes() + " bytes";
        } else if (cause instanceof TooLongFrameException) {
            error = ProxyError.BODY_TOO_LARGE;
            message = "Request body is larger than " + server.settings.maxRequestBytes() + " bytes";
        } else {
            error = ProxyError.BAD_REQUEST;
            message = "Malformed HTTP request";
        }
        // The decoder has lost its place in the byte stream, so the connection cannot carry another request.
        sendError(ctx, error, message, null, callId, false, false);
    }

    private void sendError(
            ChannelHandlerContext ctx,
            ProxyError error,
            String message,
            @Nullable String param,
            String callId,
            boolean keepAlive,
            boolean http10) {
        send(ctx, Responses.error(ctx.alloc(), error, message, param, callId), keepAlive, http10);
    }

    private void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive, boolean http10) {
        Responses.setConnection(response, keepAlive, http10);
        Responses.writeLast(ctx, response, keepAlive);
        responseDone(keepAlive);
    }

    private void responseDone(boolean keepAlive) {
        inFlight = false;
        ChannelHandlerContext context = ctx;
        if (context == null || !keepAlive) {
            releasePipelined();
            return;
        }
        ArrayDeque<FullHttpRequest> queue = pipelined;
        FullHttpRequest next = queue == null ? null : queue.poll();
        if (next != null) {
            // Not handled inline: a burst of pipelined requests answered synchronously would recurse once each.
            context.executor().execute(() -> handle(context, next));
            return;
        }
        if (!context.channel().config().isAutoRead()) {
            context.channel().config().setAutoRead(true);
        }
        if (server.isDraining()) {
            context.close();
        }
    }

    private void releasePipelined() {
        ArrayDeque<FullHttpRequest> queue = pipelined;
        if (queue == null) {
            return;
        }
        FullHttpRequest request;
        while ((request = queue.poll()) != null) {
            request.release();
        }
    }

    private static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }
}
