package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.proxy.auth.Authenticator;
import dev.llmproxy.proxy.call.CallIds;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.call.Responses;
import dev.llmproxy.proxy.passthrough.PassThroughRoutes;
import dev.llmproxy.proxy.provider.Endpoint;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Authenticates each request on its head, before a byte of its body is read, so that a client without a valid key
 * cannot make the proxy buffer a body (up to {@code max_request_size_mb} per connection) or even send
 * {@code 100 Continue}. In: {@code HttpObject}s from the codec. Out: the same, minus refused requests. Sits between
 * the client timeouts and the aggregator.
 *
 * <p>The client's address is checked against {@code allowed_ips} ({@link ClientIpPolicy}), then the
 * {@link Authenticator} is asked, once per request of an authenticated path; the answer goes to
 * {@link ClientHandler} through {@link HeadAuthResults}, which uses it instead of asking again:
 * <ul>
 *   <li>accepted, or still being looked up elsewhere (pending): the request goes on; {@link ClientHandler} dispatches
 *       it or waits for the lookup;
 *   <li>refused, for a request with a body: answered 401 (403 for a client outside {@code allowed_ips}) here, with
 *       {@code Connection: close} and a {@linkplain LingeringCloseHandler lingering close} that discards (a bounded
 *       amount of) the body; the record comes from {@link ClientHandler} through a {@link RequestRefused} event;
 *   <li>refused, for a request without a body, or while {@link ClientHandler} is still answering an earlier request
 *       on this connection (a 401 written now would overtake that response): the request goes on and
 *       {@link ClientHandler} answers the 401 in turn, after buffering the body as for any request.
 * </ul>
 * A pass-through route ({@link ApiPath#isPassThrough}, which wins over a built-in route of the same path) is checked
 * by its own rule: {@code allowed_ips} always, the key only when the route asks for one ({@code auth: true}, and
 * every provider prefix). Requests the codec could not decode, and paths that need no key or do not exist, go on
 * untouched.
 *
 * <p>Thread-safety: one instance per connection, confined to the connection's event loop.
 */
final class HeadAuthHandler extends ChannelInboundHandlerAdapter {
    private final Authenticator authenticator;
    private final ClientIpPolicy clientIps;
    private final HeadAuthResults results;
    private final LongSupplier ticker;
    private final PassThroughRoutes passThrough;
    private boolean refusing;

    HeadAuthHandler(Authenticator authenticator, ClientIpPolicy clientIps, HeadAuthResults results,
            LongSupplier ticker) {
        this(authenticator, clientIps, results, ticker, PassThroughRoutes.NONE);
    }

    HeadAuthHandler(Authenticator authenticator, ClientIpPolicy clientIps, HeadAuthResults results,
            LongSupplier ticker, PassThroughRoutes passThrough) {
        this.authenticator = authenticator;
        this.clientIps = clientIps;
        this.results = results;
        this.ticker = ticker;
        this.passThrough = passThrough;
    }

    /** The message for {@code failure}, in LiteLLM's words. */
    static String refusalMessage(AuthResult.Failure failure) {
        return switch (failure) {
            case MISSING_KEY -> "Authentication Error, No api key passed in.";
            case INVALID_KEY -> "Authentication Error, Invalid proxy server token passed.";
            case UNKNOWN_KEY -> "Authentication Error, Invalid proxy server token passed. Unable to find token in "
                    + "cache or `LiteLLM_VerificationTokenTable`";
            case EXPIRED_KEY -> "Authentication Error - Expired Key.";
            case BLOCKED_KEY -> "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.";
            case IP_NOT_ALLOWED -> "Access forbidden: IP address not allowed.";
        };
    }

    /** The {@link ProxyError} of a refusal. */
    static ProxyError refusalError(AuthResult.Failure failure) {
        return switch (failure) {
            case MISSING_KEY -> ProxyError.MISSING_KEY;
            case INVALID_KEY -> ProxyError.INVALID_KEY;
            case UNKNOWN_KEY -> ProxyError.UNKNOWN_KEY;
            case EXPIRED_KEY -> ProxyError.EXPIRED_KEY;
            case BLOCKED_KEY -> ProxyError.BLOCKED_KEY;
            case IP_NOT_ALLOWED -> ProxyError.IP_NOT_ALLOWED;
        };
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refusing) {
            // The rest of a refused request, or whatever followed it in the same read: the connection is closing.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest head && head.decoderResult().isSuccess()) {
            String uri = head.uri();
            if (ApiPath.isPassThrough(uri, passThrough)) {
                boolean allowed = clientIps.allows(ctx.channel().remoteAddress(), head.headers());
                if ((!allowed || passThrough.requiresKey(ApiPath.originForm(uri))) && refused(ctx, head,
                        Endpoint.PASS_THROUGH, allowed ? authenticator.authenticate(head.headers())
                                : AuthResult.IP_NOT_ALLOWED)) {
                    return;
                }
            } else {
                ApiPath path = ApiPath.of(uri);
                if (needsKey(path, head) && refused(ctx, head, path.endpoint(),
                        clientIps.allows(ctx.channel().remoteAddress(), head.headers())
                                ? authenticator.authenticate(head.headers()) : AuthResult.IP_NOT_ALLOWED)) {
                    return;
                }
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Answers the refusal of a request with a body at once; any other result is left for {@link ClientHandler}.
     *
     * @return whether the request was refused here (nothing more of it goes on)
     */
    private boolean refused(ChannelHandlerContext ctx, HttpRequest head, @Nullable Endpoint endpoint,
            AuthResult result) {
        AuthResult.Failure failure = result.failure();
        if (failure != null && hasBody(head) && !results.isClientBusy()) {
            refuse(ctx, head, endpoint, failure);
            return true;
        }
        results.add(head.headers(), result);
        return false;
    }

    /**
     * Whether the request is one its route serves with a key: every method of the files and batches routes (their
     * kind names no one method), GET and DELETE of a kept response, the one method of any other route.
     */
    private static boolean needsKey(ApiPath path, HttpRequest head) {
        ApiPath.Kind kind = path.kind();
        return kind.isAuthenticated() && (kind.method() == null || kind.allows(head.method()));
    }

    private static boolean hasBody(HttpRequest head) {
        return HttpUtil.isTransferEncodingChunked(head) || HttpUtil.getContentLength(head, 0L) > 0;
    }

    private void refuse(ChannelHandlerContext ctx, HttpRequest head, @Nullable Endpoint endpoint,
            AuthResult.Failure failure) {
        refusing = true;
        ReferenceCountUtil.release(head);
        String callId = CallIds.next();
        ProxyError error = refusalError(failure);
        FullHttpResponse response = Responses.error(ctx.alloc(), error, refusalMessage(failure), null, callId);
        ctx.fireUserEventTriggered(new RequestRefused(callId, error, ticker.getAsLong(), endpoint));
        LingeringCloseHandler.answerAndClose(ctx, response, ticker, HttpUtil.getContentLength(head, -1L));
    }
}
