package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.call.CallIds;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.call.Responses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * Cross-origin requests from browsers (CORS), as LiteLLM answers them: preflight {@code OPTIONS} requests are
 * answered here for every path, and the responses to requests that carry an allowed {@code Origin} get the
 * {@code Access-Control-Allow-*} headers. In: {@code HttpObject}s. Out: responses, with the headers added. Sits after
 * the client timeouts and before the key check, so a preflight (which carries no key) never needs one.
 *
 * <p>Each request head queues its origin (or none) and each final response head takes the first one: responses
 * leave in request order. A preflight that arrives while {@link ClientHandler} still answers an earlier request on the
 * connection (pipelining, which browsers do not do) is passed on and answered 405, so that it does not overtake that
 * answer. Every preflight gets its record through a {@link RequestAnswered} or {@link RequestRefused} event.
 *
 * <p>Thread-safety: one instance per connection, confined to the connection's event loop.
 */
final class CorsHandler extends ChannelDuplexHandler {
    private static final String NO_ORIGIN = "";
    private static final AsciiString ALLOWED_METHODS = AsciiString.cached("DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
    private static final AsciiString MAX_AGE_SECONDS = AsciiString.cached("600");
    private static final AsciiString ANY = AsciiString.cached("*");
    private static final AsciiString TRUE = AsciiString.cached("true");
    private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");

    private final CorsPolicy policy;
    private final HeadAuthResults connection;
    private final LongSupplier ticker;
    private final ArrayDeque<String> origins = new ArrayDeque<>(2);
    private boolean discardingPreflight;

    CorsHandler(CorsPolicy policy, HeadAuthResults connection, LongSupplier ticker) {
        this.policy = policy;
        this.connection = connection;
        this.ticker = ticker;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (discardingPreflight) {
            // The (normally empty) body of a preflight answered here.
            discardingPreflight = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest head && head.decoderResult().isSuccess()) {
            String origin = head.headers().get(HttpHeaderNames.ORIGIN);
            if (origin != null && isPreflight(head) && !connection.isClientBusy()) {
                answerPreflight(ctx, head, origin);
                discardingPreflight = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                return;
            }
            origins.add(origin != null && policy.allows(origin)
                    ? allowOrigin(origin, false, head.headers().contains(HttpHeaderNames.COOKIE))
                    : NO_ORIGIN);
        } else if (msg instanceof HttpRequest) {
            origins.add(NO_ORIGIN);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            String allowOrigin = origins.poll();
            if (allowOrigin != null && !allowOrigin.isEmpty()) {
                addAllowOrigin(response.headers(), allowOrigin);
            }
        }
        ctx.write(msg, promise);
    }

    private static boolean isPreflight(HttpRequest head) {
        return head.method().equals(HttpMethod.OPTIONS)
                && head.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    }

    private void answerPreflight(ChannelHandlerContext ctx, HttpRequest head, String origin) {
        String callId = CallIds.next();
        long startNanos = ticker.getAsLong();
        boolean keepAlive = HttpUtil.isKeepAlive(head);
        boolean http10 = head.protocolVersion().equals(HttpVersion.HTTP_1_0);
        FullHttpResponse response;
        if (!policy.allows(origin)) {
            response = text(ctx, HttpResponseStatus.BAD_REQUEST, "Disallowed CORS origin", callId);
            ctx.fireUserEventTriggered(new RequestRefused(callId, ProxyError.BAD_REQUEST, startNanos));
        } else {
            response = text(ctx, HttpResponseStatus.OK, "OK", callId);
            HttpHeaders headers = response.headers();
            addAllowOrigin(headers, allowOrigin(origin, true, false));
            headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS)
                    .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS);
            String requested = head.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
            if (requested != null) {
                headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, requested);
            }
            ctx.fireUserEventTriggered(new RequestAnswered(callId, HttpResponseStatus.OK.code(), startNanos));
        }
        Responses.setConnection(response, keepAlive, http10);
        Responses.writeLast(ctx, response, keepAlive);
    }

    /**
     * The {@code Access-Control-Allow-Origin} value for an allowed {@code origin}, as Starlette's CORS middleware
     * (LiteLLM's) chooses it: a preflight names the origin unless any origin is allowed without credentials; another
     * request gets {@code *} when any origin is allowed, unless it carries cookies.
     */
    private String allowOrigin(String origin, boolean preflight, boolean hasCookie) {
        if (preflight) {
            return policy.echoesOrigin() ? origin : "*";
        }
        return policy.allowsAnyOrigin() && !hasCookie ? "*" : origin;
    }

    /** Adds {@code Access-Control-Allow-Origin}, {@code Vary: Origin} when it names one, and credentials. */
    private void addAllowOrigin(HttpHeaders headers, String allowOrigin) {
        if (allowOrigin.equals("*")) {
            headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, ANY);
        } else {
            headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowOrigin)
                    .add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        }
        if (policy.allowsCredentials()) {
            headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
        }
    }

    private static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String text,
            String callId) {
        ByteBuf body = ByteBufUtil.writeUtf8(ctx.alloc(), text);
        return Responses.full(status, TEXT_PLAIN, body, callId);
    }
}
