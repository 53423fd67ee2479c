package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.passthrough.PassThroughRoutes;
import dev.llmproxy.proxy.call.CallIds;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.call.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Bodies count against the server's {@link RequestBudget}: a declared length is reserved when the head arrives
 * (before any {@code 100 Continue}), a chunked body chunk by chunk. A body that does not fit is answered 503 with
 * {@code retry-after} and a lingering close, like a 413. The reservation of a complete request goes with it to
 * {@link ClientHandler}, which gives it back; a request dropped here gives it back here. An allocation failure while
 * reading a request ends the connection with one rate-limited WARN that names the connection, not the call another
 * request of the connection may have in progress.
 *
 * <p>An upload ({@link ApiPath#streamsBody}) is not collected: its head and then its body parts are passed on as they
 * arrive, for the call to stream them to the provider, bounded by {@code maxUploadBytes} (a declared length beyond
 * it is answered 413 at once; a body that grows beyond it ends with a failed last part, which fails the call with a
 * 413, and the connection lingers closed). A {@code 100 Continue} is sent for an upload that asks for it. Uploads are
 * not reserved here: their {@code StreamedBody} reserves in the {@link RequestBudget} only the bytes it holds.
 *
 * <p>Thread-safety: one instance per connection, confined to the connection's event loop.
 */
final class RequestAggregator extends HttpObjectAggregator {
    private static final Logger log = LoggerFactory.getLogger(RequestAggregator.class);
    /** What a client refused for a full budget is told to wait, in seconds. */
    static final String RETRY_AFTER_SECONDS = "1";

    private final int maxRequestBytes;
    private final long maxUploadBytes;
    /** Whether the parts being read belong to an upload, passed on as they arrive. */
    private boolean streaming;
    /** Bytes of the upload being read so far. */
    private long streamedBytes;
    private final LongSupplier ticker;
    private final RequestBudget budget;
    /** Whose requests are passed on part by part, like uploads. */
    private final PassThroughRoutes passThrough;
    private boolean lingering;
    /** Bytes of the body being aggregated reserved in {@link #budget}; given back unless the request is handed on. */
    private long reserved;
    /** Whether the body being aggregated is chunked, so reserved as it arrives. */
    private boolean reservingChunks;

    RequestAggregator(int maxRequestBytes, long maxUploadBytes, LongSupplier ticker, RequestBudget budget) {
        this(maxRequestBytes, maxUploadBytes, ticker, budget, PassThroughRoutes.NONE);
    }

    RequestAggregator(int maxRequestBytes, long maxUploadBytes, LongSupplier ticker, RequestBudget budget,
            PassThroughRoutes passThrough) {
        super(maxRequestBytes);
        this.maxRequestBytes = maxRequestBytes;
        this.maxUploadBytes = maxUploadBytes;
        this.ticker = ticker;
        this.budget = budget;
        this.passThrough = passThrough;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (lingering) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (streaming && msg instanceof HttpContent part) {
            passUploadPart(ctx, part);
            return;
        }
        if (msg instanceof HttpRequest head && head.decoderResult().isSuccess() && ApiPath.streamsBody(head, passThrough)) {
            passUploadHead(ctx, head);
            return;
        }
        if (msg instanceof HttpRequest head && !reserve(head)) {
            ReferenceCountUtil.release(msg);
            refuseOverBudget(ctx, HttpUtil.getContentLength(head, -1L));
            return;
        }
        if (reservingChunks && msg instanceof HttpContent content) {
            int bytes = content.content().readableBytes();
            if (!budget.tryReserve(bytes)) {
                ReferenceCountUtil.release(msg);
                releaseCurrentMessage();
                refuseOverBudget(ctx, -1L);
                return;
            }
            reserved += bytes;
        }
        super.channelRead(ctx, msg);
    }

    private void passUploadHead(ChannelHandlerContext ctx, HttpRequest head) {
        giveBack();
        long declared = HttpUtil.getContentLength(head, -1L);
        if (declared > maxUploadBytes) {
            ReferenceCountUtil.release(head);
            refuseTooLarge(ctx, maxUploadBytes, "general_settings.max_upload_size_mb", declared);
            return;
        }
        if (HttpUtil.is100ContinueExpected(head)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER), ctx.voidPromise());
            head.headers().remove(HttpHeaderNames.EXPECT);
        }
        streaming = true;
        streamedBytes = 0;
        ctx.fireChannelRead(head);
    }

    private void passUploadPart(ChannelHandlerContext ctx, HttpContent part) {
        streamedBytes += part.content().readableBytes();
        if (streamedBytes > maxUploadBytes) {
            part.release();
            streaming = false;
            // The call is under way: it gets a failed last part (it answers 413 if nothing was answered yet), and the
            // rest of the body is dropped here until the connection closes.
            lingering = true;
            DefaultLastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            failed.setDecoderResult(DecoderResult.failure(new TooLongFrameException("Request body is larger than "
                    + "the limit of " + maxUploadBytes + " bytes (general_settings.max_upload_size_mb)")));
            ctx.fireChannelRead(failed);
            return;
        }
        if (part instanceof LastHttpContent) {
            streaming = false;
        }
        ctx.fireChannelRead(part);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (!(cause instanceof OutOfMemoryError)) {
            super.exceptionCaught(ctx, cause);
            return;
        }
        // Direct memory ran out while reading: not a bug of the request in progress (if any), so it is not reported
        // as that request's unexpected error; the connection ends and the buffers it held are freed.
        long failures = budget.report(ticker.getAsLong());
        if (failures > 0) {
            log.warn("[{}] out of memory while reading a request ({}; {} time(s) in the last minute); closing the "
                    + "connection. Lower general_settings.max_buffered_requests_mb or raise -XX:MaxDirectMemorySize",
                    ctx.channel().id().asShortText(), cause.toString(), failures);
        }
        releaseCurrentMessage();
        giveBack();
        ctx.close();
    }

    @Override
    protected void finishAggregation(FullHttpMessage aggregated) throws Exception {
        super.finishAggregation(aggregated);
        // The request leaves with exactly its body's size reserved; ClientHandler gives that back.
        long size = aggregated.content().readableBytes();
        if (size > reserved) {
            budget.forceReserve(size - reserved);
        } else {
            budget.release(reserved - size);
        }
        reserved = 0;
        reservingChunks = false;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        giveBack();
        super.handlerRemoved(ctx);
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
        giveBack();
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
        giveBack();
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        refuseTooLarge(ctx, maxRequestBytes, "general_settings.max_request_size_mb",
                HttpUtil.getContentLength(oversized, -1L));
    }

    private void refuseTooLarge(ChannelHandlerContext ctx, long limitBytes, String setting, long declared) {
        String callId = CallIds.next();
        FullHttpResponse response = Responses.error(ctx.alloc(), ProxyError.BODY_TOO_LARGE,
                "Request body is larger than the limit of " + limitBytes + " bytes (" + setting + ")", null, callId);
        ctx.fireUserEventTriggered(new RequestRefused(callId, ProxyError.BODY_TOO_LARGE, ticker.getAsLong()));
        LingeringCloseHandler.answerAndClose(ctx, response, ticker, declared);
    }

    /**
     * Reserves the declared body of a request head that the aggregator will accept; returns false when it does not
     * fit. Heads that fail to decode, declare too much (413 follows) or have no body reserve nothing.
     */
    private boolean reserve(HttpRequest head) {
        giveBack();
        if (!head.decoderResult().isSuccess()) {
            return true;
        }
        if (HttpUtil.isTransferEncodingChunked(head)) {
            reservingChunks = true;
            return true;
        }
        long declared = HttpUtil.getContentLength(head, 0L);
        if (declared <= 0 || declared > maxRequestBytes) {
            return true;
        }
        if (!budget.tryReserve(declared)) {
            return false;
        }
        reserved = declared;
        return true;
    }

    /** Gives back what the body being aggregated reserved (it will not be handed on). */
    private void giveBack() {
        budget.release(reserved);
        reserved = 0;
        reservingChunks = false;
    }

    private void refuseOverBudget(ChannelHandlerContext ctx, long declared) {
        giveBack();
        long refusals = budget.report(ticker.getAsLong());
        if (refusals > 0) {
            log.warn("[{}] request bodies in memory reached the limit of {} bytes; {} request(s) answered 503 in the "
                    + "last minute (general_settings.max_buffered_requests_mb)", ctx.channel().id().asShortText(),
                    budget.limitBytes(), refusals);
        }
        String callId = CallIds.next();
        FullHttpResponse response = Responses.error(ctx.alloc(), ProxyError.REQUEST_BUFFERS_FULL,
                "The server is handling too many request bodies right now; retry shortly", null, callId);
        response.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        ctx.fireUserEventTriggered(new RequestRefused(callId, ProxyError.REQUEST_BUFFERS_FULL, ticker.getAsLong()));
        LingeringCloseHandler.answerAndClose(ctx, response, ticker, declared);
    }
}
