package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.call.CallIds;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.call.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Collects a request body up to the configured limit (the only thing the proxy buffers) and answers a larger one
 * with an OpenAI-style 413 instead of Netty's empty one. In: {@code HttpObject}s. Out: {@code FullHttpRequest}.
 *
 * <p>After a 413 the connection ends with a {@linkplain LingeringCloseHandler lingering close}: the rest of the
 * oversized body is still on its way, and must neither be parsed as the next request nor make the close reset the
 * connection before the client has read the 413. Messages the codec still emits once the connection lingers (the
 * rest of a read, or a failed request at the close) are dropped here.
 *
 * <p>A request that declares an oversized body and {@code Expect: 100-continue} gets the same 413 and no
 * {@code 100 Continue}, so a well-behaved client never sends the body (RFC 9110 section 10.1.1).
 *
 * <p>Thread-safety: one instance per connection, confined to the connection's event loop.
 */
final class RequestAggregator extends HttpObjectAggregator {
    private final int maxRequestBytes;
    private final LongSupplier ticker;
    private boolean lingering;

    RequestAggregator(int maxRequestBytes, LongSupplier ticker) {
        super(maxRequestBytes);
        this.maxRequestBytes = maxRequestBytes;
        this.ticker = ticker;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (lingering) {
            ReferenceCountUtil.release(msg);
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event == LingeringCloseEvent.INSTANCE) {
            lingering = true;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        // A client that goes away mid-body is not an error worth a stack trace (Netty would report a
        // PrematureChannelClosureException); the partial request is simply dropped.
        releaseCurrentMessage();
        super.channelInactive(ctx);
    }

    @Override
    protected @Nullable Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (start.decoderResult().isSuccess()
                && HttpUtil.is100ContinueExpected(start)
                && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
            // No interim response: the aggregator then finds the declared length too large and calls
            // handleOversizedMessage, which answers with the OpenAI-style 413 instead of Netty's empty one.
            return null;
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        String callId = CallIds.next();
        FullHttpResponse response = Responses.error(ctx.alloc(), ProxyError.BODY_TOO_LARGE,
                "Request body is larger than the limit of " + maxRequestBytes
                        + " bytes (general_settings.max_request_size_mb)", null, callId);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response, ctx.voidPromise());
        ctx.fireUserEventTriggered(new RequestRefused(callId, ProxyError.BODY_TOO_LARGE, ticker.getAsLong()));
        long declared = HttpUtil.getContentLength(oversized, -1L);
        long maxDiscard = LingeringCloseHandler.MAX_DISCARD_BYTES;
        LingeringCloseHandler.start(ctx.pipeline(), ticker, declared < 0 ? maxDiscard : Math.min(declared, maxDiscard));
    }
}
