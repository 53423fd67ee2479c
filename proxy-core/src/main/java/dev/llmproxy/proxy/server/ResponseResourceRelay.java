package dev.llmproxy.proxy.server;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.responses.ManagedResponseIds;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.call.Responses;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.provider.ProviderAdapter;
import dev.llmproxy.proxy.provider.UpstreamAuth;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.upstream.Origin;
import dev.llmproxy.proxy.upstream.Upstream;
import dev.llmproxy.proxy.upstream.UpstreamConnection;
import dev.llmproxy.proxy.upstream.UpstreamExchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Relays one {@code GET}/{@code DELETE /v1/responses/{id}} or {@code GET /v1/responses/{id}/input_items} to the
 * OpenAI or Azure deployment that made the response, with the provider's own id in the path and the client's query
 * as it is. The answer (a small JSON object or page) is read whole, bounded, so that the response's id in it can be
 * given back in its managed form; it is handed to the {@link Listener}.
 *
 * <p>Exactly one of: the listener is called once (an answer, the provider's or an OpenAI error), or
 * {@link #cancel()} ran first (the client went away) and nothing is called. The upstream connection goes back to its
 * pool after a complete answer with keep-alive, and is closed otherwise.
 *
 * <p>Thread-safety: confined to the client connection's event loop, which also runs the upstream connection.
 */
final class ResponseResourceRelay implements UpstreamExchange {
    /** A response object with every output item, or a page of input items, is far below this. */
    private static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
    private static final AsciiString USER_AGENT = AsciiString.cached("llmproxy");

    /** Receives the one answer; called on the event loop. */
    interface Listener {
        /**
         * @param response owned by the listener
         * @param error the proxy's error when the answer is one, else null (the provider's own status is relayed)
         */
        void answered(FullHttpResponse response, @Nullable ProxyError error);
    }

    /** What the client asked for. */
    enum Action { RETRIEVE, DELETE, INPUT_ITEMS }

    private final ChannelHandlerContext ctx;
    private final Deployment deployment;
    private final ProviderAdapter adapter;
    private final Origin origin;
    private final Action action;
    private final String path;
    private final String managedId;
    private final String callId;
    private final Listener listener;
    private @Nullable UpstreamConnection connection;
    private @Nullable ScheduledFuture<?> timer;
    private @Nullable HttpResponse head;
    private @Nullable CompositeByteBuf body;
    private boolean done;

    private ResponseResourceRelay(ChannelHandlerContext ctx, Deployment deployment, ProviderAdapter adapter,
            Origin origin, Action action, String path, String managedId, String callId, Listener listener) {
        this.ctx = ctx;
        this.deployment = deployment;
        this.adapter = adapter;
        this.origin = origin;
        this.action = action;
        this.path = path;
        this.managedId = managedId;
        this.callId = callId;
        this.listener = requireNonNull(listener, "listener");
    }

    /**
     * Starts the relay.
     *
     * @param id what the managed id names; its deployment is {@code deployment}, an OpenAI or Azure one
     * @param managedId the id as the client sent it
     * @param query the client's query string without {@code ?}, or empty
     */
    static ResponseResourceRelay start(ChannelHandlerContext ctx, Upstream upstream, Deployment deployment,
            Action action, ManagedResponseIds.Decoded id, String managedId, String query, String callId,
            Listener listener) {
        ProviderAdapter adapter = deployment.adapter();
        Origin origin = deployment.origin();
        if (adapter == null || origin == null) {
            throw new IllegalStateException("deployment " + deployment.id() + " cannot be called");
        }
        String path = resourcePath(deployment.target().requestPath(Endpoint.RESPONSES, false), id.responseId(),
                action, query);
        ResponseResourceRelay relay = new ResponseResourceRelay(ctx, deployment, adapter, origin, action, path,
                managedId, callId, listener);
        relay.timer = ctx.executor().schedule(relay::timedOut, deployment.timeoutNanos(), TimeUnit.NANOSECONDS);
        upstream.acquire(ctx.channel().eventLoop(), origin, deployment.connectTimeoutMillis(), relay);
        return relay;
    }

    /**
     * The resource's path: {@code responsesPath} (the deployment's {@code /responses} path, maybe with Azure's
     * {@code api-version}) with the id and the action's suffix, then the client's query.
     */
    static String resourcePath(String responsesPath, String responseId, Action action, String query) {
        int q = responsesPath.indexOf('?');
        String base = q < 0 ? responsesPath : responsesPath.substring(0, q);
        String upstreamQuery = q < 0 ? "" : responsesPath.substring(q + 1);
        StringBuilder path = new StringBuilder(base).append('/')
                .append(URLEncoder.encode(responseId, StandardCharsets.UTF_8).replace("+", "%20"));
        if (action == Action.INPUT_ITEMS) {
            path.append("/input_items");
        }
        String joined = upstreamQuery.isEmpty() ? query : query.isEmpty() ? upstreamQuery : upstreamQuery + "&" + query;
        if (!joined.isEmpty()) {
            path.append('?').append(joined);
        }
        return path.toString();
    }

    /** The client went away: the provider's connection is closed, and nobody is answered. */
    void cancel() {
        if (!done) {
            finish(false);
        }
    }

    @Override
    public void onConnected(UpstreamConnection upstreamConnection) {
        if (done) {
            upstreamConnection.release();
            return;
        }
        connection = upstreamConnection;
        send(upstreamConnection, true);
    }

    private void send(UpstreamConnection upstreamConnection, boolean waitForCredentials) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                action == Action.DELETE ? HttpMethod.DELETE : HttpMethod.GET, path, Unpooled.EMPTY_BUFFER,
                Responses.HEADERS.newHeaders(), EmptyHttpHeaders.INSTANCE);
        request.headers()
                .set(HttpHeaderNames.HOST, deployment.hostHeader())
                .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        if (action == Action.DELETE) {
            request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        }
        UpstreamAuth auth = adapter.auth();
        if (auth.apply(request, request.content())) {
            upstreamConnection.send(request);
            return;
        }
        request.release();
        if (!waitForCredentials) {
            fail(ProxyError.UPSTREAM_AUTH_FAILED, "Cannot authenticate with the provider (no credentials available)");
            return;
        }
        auth.ready().whenComplete((ignored, failure) -> ctx.executor().execute(() -> {
            if (done || connection != upstreamConnection) {
                return;
            }
            if (failure != null) {
                fail(ProxyError.UPSTREAM_AUTH_FAILED, "Cannot authenticate with the provider (no credentials "
                        + "available)");
                return;
            }
            send(upstreamConnection, false);
        }));
    }

    @Override
    public void onConnectFailed(Throwable cause) {
        if (!done) {
            fail(ProxyError.UPSTREAM_CONNECT_FAILED, "Cannot connect to the provider");
        }
    }

    @Override
    public void onResponsePart(HttpObject part) {
        if (done) {
            ReferenceCountUtil.release(part);
            return;
        }
        if (part.decoderResult().isFailure()) {
            ReferenceCountUtil.release(part);
            connection = null;
            fail(ProxyError.UPSTREAM_CLOSED, "The provider closed the connection without answering");
            return;
        }
        if (part instanceof HttpResponse response) {
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                ReferenceCountUtil.release(part);
                return;
            }
            head = response;
            body = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
        }
        if (!(part instanceof HttpContent content)) {
            return;
        }
        CompositeByteBuf collected = body;
        if (collected == null) {
            content.release();
            return;
        }
        if (collected.readableBytes() + content.content().readableBytes() > MAX_BODY_BYTES) {
            content.release();
            fail(ProxyError.UPSTREAM_PROTOCOL_ERROR, "The provider's answer is larger than " + MAX_BODY_BYTES
                    + " bytes");
            return;
        }
        collected.addComponent(true, content.content().retain());
        content.release();
        if (content instanceof LastHttpContent) {
            answer();
        }
    }

    @Override
    public void onReadComplete() {
        // The answer is written whole when complete.
    }

    @Override
    public void onMalformedResponse(Throwable cause) {
        if (!done) {
            connection = null;
            fail(ProxyError.UPSTREAM_PROTOCOL_ERROR, "The provider sent a malformed response");
        }
    }

    @Override
    public void onConnectionLost(@Nullable Throwable cause) {
        if (!done) {
            connection = null;
            fail(ProxyError.UPSTREAM_CLOSED, "The provider closed the connection before the answer was complete");
        }
    }

    private void answer() {
        HttpResponse response = head;
        CompositeByteBuf collected = body;
        body = null;
        if (response == null || collected == null) {
            throw new IllegalStateException("no answer is held");
        }
        ByteBuf answer = collected;
        if (response.status().codeClass() == HttpStatusClass.SUCCESS && action != Action.INPUT_ITEMS) {
            ByteBuf managed = ManagedResponseIds.replaceResponseId(ctx.alloc(), collected, collected.readerIndex(),
                    collected.readableBytes(), providerId -> managedId);
            if (managed != null) {
                collected.release();
                answer = managed;
            }
        }
        finish(HttpUtil.isKeepAlive(response));
        String contentType = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        FullHttpResponse out = Responses.full(response.status(),
                contentType == null ? HttpHeaderValues.APPLICATION_JSON : AsciiString.of(contentType), answer, callId);
        out.headers().set(Responses.MODEL_ID, deployment.idHeader());
        listener.answered(out, null);
    }

    private void timedOut() {
        if (!done) {
            fail(ProxyError.UPSTREAM_TIMEOUT, "Request timed out: no answer from the provider for "
                    + TimeUnit.NANOSECONDS.toMillis(deployment.timeoutNanos()) / 1000.0 + " s");
        }
    }

    private void fail(ProxyError error, String message) {
        finish(false);
        listener.answered(Responses.error(ctx.alloc(), error, message, null, callId), error);
    }

    /** Ends the relay: the timer, what is held, and the connection (back to its pool when {@code reuse}). */
    private void finish(boolean reuse) {
        done = true;
        ScheduledFuture<?> pending = timer;
        timer = null;
        if (pending != null) {
            pending.cancel(false);
        }
        CompositeByteBuf collected = body;
        body = null;
        if (collected != null) {
            collected.release();
        }
        head = null;
        UpstreamConnection upstreamConnection = connection;
        connection = null;
        if (upstreamConnection != null) {
            if (reuse) {
                upstreamConnection.release();
            } else {
                upstreamConnection.discard();
            }
        }
    }
}
