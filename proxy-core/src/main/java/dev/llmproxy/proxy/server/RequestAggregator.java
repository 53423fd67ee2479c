package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.call.CallIds;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.call.Responses;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Collects a request body up to the configured limit (the only thing the proxy buffers) and answers a larger one
 * with an OpenAI-style 413 instead of Netty's empty one. In: {@code HttpObject}s. Out: {@code FullHttpRequest}.
 *
 * <p>The connection is closed after a 413: the rest of the oversized body is still on its way and would otherwise
 * be parsed as the next request.
 */
final class RequestAggregator extends HttpObjectAggregator {
    private final int maxRequestBytes;

    RequestAggregator(int maxRequestBytes) {
        super(maxRequestBytes);
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        FullHttpResponse response = Responses.error(ctx.alloc(), ProxyError.BODY_TOO_LARGE,
                "Request body is larger than the limit of " + maxRequestBytes
                        + " bytes (general_settings.max_request_size_mb)", null, CallIds.next());
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
