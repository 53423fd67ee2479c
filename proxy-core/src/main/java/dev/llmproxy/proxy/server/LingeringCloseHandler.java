package dev.llmproxy.proxy.server;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Closes a connection the way nginx's lingering close does, so that a client still sending a request the proxy has
 * refused reads the error response instead of a connection reset. Added at the head of a client pipeline by
 * {@link #start} only when needed, so it costs requests nothing. In: the connection's {@link ByteBuf}s, released
 * unread. Out: nothing of its own but an empty buffer that marks the end of the response.
 *
 * <p>Thread-safety: one instance per connection, confined to the connection's event loop.
 */
final class LingeringCloseHandler extends ChannelInboundHandlerAdapter {
    /*
     * Implementation notes.
     *
     * Why: a socket closed while its receive buffer still holds unread bytes sends a RST instead of a FIN (RFC 2525
     * section 2.17), and a client's kernel that receives a RST drops whatever the application has not read yet: the
     * 413 written just before the close is lost, and curl reports "Connection reset by peer". nginx avoids this with
     * its lingering close (ngx_http_set_lingering_close): shut down the output, then read and discard what the client
     * still sends for a while before closing.
     *
     * What start() does, in order (once per connection):
     *  1. stops handing bytes to the HTTP codec: every later read is counted and released here;
     *  2. writes an empty buffer behind the response and, once that is flushed (so the response is on the wire),
     *     shuts down the output: the client sees the end of the response even if it reads only after sending it all;
     *  3. closes when the client closes, or after maxDiscardBytes, LINGER_TIMEOUT of silence, or LINGER_TIME in all
     *     (nginx's lingering_timeout 5 s and lingering_time 30 s).
     * Bytes the codec already holds when start() runs are still parsed by it; RequestAggregator drops what it emits.
     *
     * One timer, scheduled for the earlier of the two deadlines and re-armed when it fires early; reads only note
     * their time, so discarding allocates nothing.
     */

    /**
     * The most a lingering close reads and discards before closing anyway. A client that sends more than this after
     * the response, and reads only once it has sent everything, still sees a reset; the time limits are the main
     * bound (nginx has only those).
     */
    static final long MAX_DISCARD_BYTES = 8L * 1024 * 1024;
    /** The longest silence from the client while lingering (nginx {@code lingering_timeout}). */
    static final long LINGER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** The longest lingering close in all (nginx {@code lingering_time}). */
    static final long LINGER_TIME_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final LongSupplier ticker;
    private final Runnable onTimer = this::onTimer;
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable ScheduledFuture<?> timer;
    private long remainingBytes;
    private long startNanos;
    private long lastReadNanos;

    private LingeringCloseHandler(LongSupplier ticker, long maxDiscardBytes) {
        this.ticker = ticker;
        this.remainingBytes = maxDiscardBytes;
    }

    /**
     * Starts the lingering close of a connection whose last response has just been written: from now on nothing it
     * receives reaches the HTTP codec. Does nothing if the connection lingers already. Call on the event loop.
     *
     * @param pipeline the connection's pipeline
     * @param ticker the server's nanosecond clock
     * @param maxDiscardBytes how many more bytes to read and discard before closing anyway
     */
    static void start(ChannelPipeline pipeline, LongSupplier ticker, long maxDiscardBytes) {
        if (pipeline.get(LingeringCloseHandler.class) == null) {
            pipeline.addFirst(ServerInitializer.LINGER, new LingeringCloseHandler(ticker, maxDiscardBytes));
        }
    }

    /**
     * Sends {@code response}, marked {@code Connection: close}, and then {@linkplain #start closes lingering},
     * discarding what the client still sends of a refused request: its declared body, or {@link #MAX_DISCARD_BYTES}
     * when {@code declaredBodyBytes} is negative (unknown), never more than that.
     */
    static void answerAndClose(ChannelHandlerContext ctx, FullHttpResponse response, LongSupplier ticker,
            long declaredBodyBytes) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response, ctx.voidPromise());
        start(ctx.pipeline(), ticker,
                declaredBodyBytes < 0 ? MAX_DISCARD_BYTES : Math.min(declaredBodyBytes, MAX_DISCARD_BYTES));
    }


    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        startNanos = ticker.getAsLong();
        lastReadNanos = startNanos;
        ctx.channel().config().setAutoRead(true);
        ctx.fireUserEventTriggered(LingeringCloseEvent.INSTANCE);
        ChannelFutureListener onFlushed = this::onResponseFlushed;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(onFlushed);
        timer = ctx.executor().schedule(onTimer, LINGER_TIMEOUT_NANOS, NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long bytes = msg instanceof ByteBuf buf ? buf.readableBytes() : 0;
        ReferenceCountUtil.release(msg);
        lastReadNanos = ticker.getAsLong();
        remainingBytes -= bytes;
        if (remainingBytes <= 0) {
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Swallowed: nothing behind this handler has read anything.
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        ctx.fireChannelInactive();
    }

    private void onResponseFlushed(ChannelFuture future) {
        if (!future.isSuccess()) {
            future.channel().close();
        } else if (future.channel() instanceof DuplexChannel duplex && !duplex.isOutputShutdown()) {
            duplex.shutdownOutput();
        }
    }

    private void onTimer() {
        timer = null;
        ChannelHandlerContext context = ctx;
        if (context == null || !context.channel().isOpen()) {
            return;
        }
        long now = ticker.getAsLong();
        long silenceLeft = LINGER_TIMEOUT_NANOS - (now - lastReadNanos);
        long timeLeft = LINGER_TIME_NANOS - (now - startNanos);
        long next = Math.min(silenceLeft, timeLeft);
        if (next <= 0) {
            context.close();
            return;
        }
        timer = context.executor().schedule(onTimer, next, NANOSECONDS);
    }

    private void cancelTimer() {
        ScheduledFuture<?> pending = timer;
        timer = null;
        if (pending != null) {
            pending.cancel(false);
        }
    }
}
