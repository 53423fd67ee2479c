package dev.llmproxy.proxy.server;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import dev.llmproxy.proxy.passthrough.PassThroughRoutes;
import dev.llmproxy.proxy.call.CallIds;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.call.Responses;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes client connections that stay silent too long, as nginx's {@code keepalive_timeout},
 * {@code client_header_timeout} and {@code client_body_timeout} do (see {@link ClientTimeouts}). Sits between the
 * HTTP codec and the aggregator. In: {@code HttpObject}s, passed on untouched. Out: responses, passed on untouched;
 * its own 408 {@link FullHttpResponse} when a request head or body is late.
 *
 * <p>Thread-safety: one instance per connection, confined to the connection's event loop.
 */
final class ClientTimeoutHandler extends ChannelDuplexHandler {
    /*
     * Implementation notes.
     *
     * The connection is in one of four phases, derived from what has been read and written:
     *  - responding: a request has been received whose final response message has not been written yet (a request
     *    still being read does not count). No timeout applies, so slow providers and long streams are never cut.
     *  - idle (nothing of the next request read): closes silently keepAlive after the last response, or after the
     *    connection opened.
     *  - head (bytes arrived, but the codec has not produced a request yet; seen as a read that yields no message):
     *    408 if the head is not complete header after its first byte (a total, as nginx's client_header_timeout).
     *  - body (head received, body not complete): 408 after body of silence between two reads.
     * Every phase that is not "responding" starts no earlier than the last final response was written, so a request
     * pipelined behind a long response gets its full time.
     *
     * Cost per request: a few field writes and at most two ticker reads, no allocation. There is one timer per
     * connection. A read or a response only moves the deadline; the timer is rescheduled only when the new deadline
     * is earlier than the one it is armed for, and when it fires early (the deadline moved later) it re-arms itself
     * for the rest. So a busy keep-alive connection reschedules about once per keepAlive period.
     *
     * "The final response message is written" means handed to the codec, not yet on the wire. When a timer expires
     * while response bytes are still queued in the channel, the client is reading slowly, not idle: an empty buffer
     * is written behind them and the phase restarts when it is flushed.
     */
    private static final Logger log = LoggerFactory.getLogger(ClientTimeoutHandler.class);

    private static final int IDLE = 0;
    private static final int HEAD = 1;
    private static final int BODY = 2;

    private final long keepAliveNanos;
    private final long headerNanos;
    private final long bodyNanos;
    private final LongSupplier ticker;
    private final Runnable onTimer = this::onTimer;
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable ScheduledFuture<?> timer;
    private long timerDueNanos;
    /** IDLE, HEAD or BODY: how far the request being read has come. */
    private int reading = IDLE;
    /** Requests received (head decoded) whose final response message has not been written yet. */
    private int responsesOwed;
    /** Whether the codec produced a message since the last channelReadComplete. */
    private boolean readMessage;
    private boolean started;
    private boolean stopped;
    private boolean awaitingFlush;
    /** When the connection opened or the last final response was written. */
    private long quietSinceNanos;
    private long headStartNanos;
    private long lastReadNanos;
    /** Whose requests stream their bodies, paced by the target rather than by the client's body timeout. */
    private final PassThroughRoutes passThrough;

    ClientTimeoutHandler(ClientTimeouts timeouts, LongSupplier ticker) {
        this(timeouts, ticker, PassThroughRoutes.NONE);
    }

    ClientTimeoutHandler(ClientTimeouts timeouts, LongSupplier ticker, PassThroughRoutes passThrough) {
        this.keepAliveNanos = timeouts.keepAlive().toNanos();
        this.headerNanos = timeouts.header().toNanos();
        this.bodyNanos = timeouts.body().toNanos();
        this.ticker = ticker;
        this.passThrough = passThrough;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readMessage = true;
        if (msg instanceof HttpRequest request) {
            responsesOwed++;
            // An upload's body is streamed to the provider, whose pace (not the client's) it then follows: the call's
            // own timeouts govern it.
            reading = request.decoderResult().isSuccess() && !ApiPath.streamsBody(request, passThrough) ? BODY : IDLE;
        }
        if (msg instanceof LastHttpContent) {
            reading = IDLE;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!readMessage && reading == IDLE) {
            reading = HEAD;
            headStartNanos = ticker.getAsLong();
            lastReadNanos = headStartNanos;
            armTimer(headStartNanos);
        } else if (reading != IDLE) {
            long now = ticker.getAsLong();
            lastReadNanos = now;
            armTimer(now);
        }
        readMessage = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == LingeringCloseEvent.INSTANCE) {
            stop();
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && responsesOwed > 0 && !isInformational(msg)) {
            responsesOwed--;
            long now = ticker.getAsLong();
            quietSinceNanos = now;
            armTimer(now);
        }
        ctx.write(msg, promise);
    }

    private void start() {
        if (started) {
            return;
        }
        started = true;
        quietSinceNanos = ticker.getAsLong();
        armTimer(quietSinceNanos);
    }

    private void stop() {
        stopped = true;
        ScheduledFuture<?> pending = timer;
        timer = null;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    private boolean isResponding() {
        return responsesOwed > (reading == BODY ? 1 : 0);
    }

    private long deadlineNanos() {
        return switch (reading) {
            case HEAD -> Math.max(headStartNanos, quietSinceNanos) + headerNanos;
            case BODY -> Math.max(lastReadNanos, quietSinceNanos) + bodyNanos;
            default -> quietSinceNanos + keepAliveNanos;
        };
    }

    /** Makes sure the timer fires no later than the current deadline, unless no timeout applies now. */
    private void armTimer(long now) {
        ChannelHandlerContext context = ctx;
        if (stopped || context == null || isResponding()) {
            return;
        }
        long deadline = deadlineNanos();
        if (timer != null) {
            if (timerDueNanos - deadline <= 0) {
                return;
            }
            timer.cancel(false);
        }
        timerDueNanos = deadline;
        timer = context.executor().schedule(onTimer, Math.max(0, deadline - now), NANOSECONDS);
    }

    private void onTimer() {
        timer = null;
        ChannelHandlerContext context = ctx;
        if (stopped || awaitingFlush || context == null || isResponding()) {
            return;
        }
        long now = ticker.getAsLong();
        if (deadlineNanos() - now > 0) {
            armTimer(now);
            return;
        }
        ChannelOutboundBuffer queued = context.channel().unsafe().outboundBuffer();
        if (queued != null && queued.totalPendingWriteBytes() > 0) {
            awaitingFlush = true;
            context.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(future -> onQueuedFlushed());
            return;
        }
        expire(context);
    }

    private void onQueuedFlushed() {
        awaitingFlush = false;
        long now = ticker.getAsLong();
        quietSinceNanos = now;
        armTimer(now);
    }

    private void expire(ChannelHandlerContext context) {
        if (reading == IDLE) {
            log.debug("[{}] idle for {} s, closing", context.channel().id(), keepAliveNanos / 1_000_000_000.0);
            stop();
            context.close();
            return;
        }
        String message = reading == HEAD
                ? "Request headers not received within " + seconds(headerNanos)
                        + " s (general_settings.client_header_timeout)"
                : "Request body not received: no data for " + seconds(bodyNanos)
                        + " s (general_settings.client_body_timeout)";
        log.debug("[{}] {}", context.channel().id(), message);
        stop();
        String callId = CallIds.next();
        FullHttpResponse response = Responses.error(context.alloc(), ProxyError.CLIENT_TIMEOUT, message, null, callId);
        context.fireUserEventTriggered(new RequestRefused(callId, ProxyError.CLIENT_TIMEOUT, ticker.getAsLong()));
        LingeringCloseHandler.answerAndClose(context, response, ticker, -1L);
    }

    private static boolean isInformational(Object msg) {
        return msg instanceof HttpResponse response
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    private static String seconds(long nanos) {
        return nanos % 1_000_000_000L == 0 ? Long.toString(nanos / 1_000_000_000L) : Double.toString(nanos / 1e9);
    }
}
