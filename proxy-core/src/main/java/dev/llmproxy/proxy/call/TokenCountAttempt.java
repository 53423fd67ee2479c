package dev.llmproxy.proxy.call;

import dev.llmproxy.codec.messages.TokenEstimate;
import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.proxy.route.Lease;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;

/**
 * Answers {@code /v1/messages/count_tokens} for a deployment that does not speak Anthropic's Messages API, without
 * calling its provider: the estimate of {@link TokenEstimate}, marked as one by {@code x-llmproxy-token-count:
 * estimate}. The answer is written whole in {@link #start()}, which commits and ends the call; it carries no usage,
 * so the call costs nothing.
 *
 * <p>Thread-safety: confined to the client connection's event loop.
 */
final class TokenCountAttempt extends Attempt {
    static final AsciiString TOKEN_COUNT = AsciiString.cached("x-llmproxy-token-count");
    private static final AsciiString ESTIMATE = AsciiString.cached("estimate");

    TokenCountAttempt(ModelCall call, Lease lease, long startNanos) {
        super(call, lease, startNanos);
    }

    @Override
    void start() {
        int tokens;
        try {
            tokens = TokenEstimate.inputTokens(call.body());
        } catch (InvalidRequestException e) {
            call.attemptFailed(this, ProxyError.BAD_REQUEST.status().code(), ProxyError.BAD_REQUEST,
                    String.valueOf(e.getMessage()));
            return;
        }
        headersNanos = startNanos;
        call.shouldCommit(this, 200);
        ByteBuf body = TokenEstimate.body(call.ctx.alloc(), tokens);
        FullHttpResponse response = Responses.full(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, body,
                call.request.callId());
        long now = call.services.ticker().getAsLong();
        call.addProxyHeaders(response.headers(), lease.target().deployment(), startNanos, now);
        response.headers().set(TOKEN_COUNT, ESTIMATE);
        Responses.setConnection(response, call.request.keepAlive(), call.request.http10());
        Responses.writeLast(call.ctx, response, call.request.keepAlive());
        call.attemptFinished(this, 200, null, null, false, now, 0, call.request.keepAlive());
    }

    @Override
    void onClientWritable() {
        // The whole answer is written at once; there is nothing waiting for writability.
    }

    @Override
    void cancel() {
        // Nothing outlives start(): the answer was complete before the client could go.
    }
}
