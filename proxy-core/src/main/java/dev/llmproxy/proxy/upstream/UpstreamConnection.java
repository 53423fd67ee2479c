package dev.llmproxy.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * One keep-alive connection to an upstream origin, and the last handler of its pipeline
 * ({@code [proxy] [tls] codec relay}). In: {@link HttpObject} response parts, passed to the leasing
 * {@link UpstreamExchange}. The connection reads on its own while the exchange's client keeps up; when the client
 * connection stops being writable the exchange pauses reading ({@link #pauseReading()}) until it drains, which is
 * how backpressure reaches the upstream socket. Reading is switched only at those transitions rather than requested
 * read by read, which would cost two {@code epoll_ctl} calls per streamed event.
 *
 * <p>Thread-safety: confined to the connection's event loop, which is also the event loop of every client
 * connection that leases it, so no field needs synchronization.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {
    private final ConnectionOwner pool;
    private final Origin origin;
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable UpstreamExchange exchange;
    private boolean reused;
    private long idleSinceNanos;

    UpstreamConnection(ConnectionOwner pool, Origin origin) {
        this.pool = pool;
        this.origin = origin;
    }

    /** The origin this connection goes to. */
    public Origin origin() {
        return origin;
    }

    /** Whether this connection served an earlier request (so a failure before any response may be a stale socket). */
    public boolean isReused() {
        return reused;
    }

    /** Sends the request; ownership of {@code request} passes to Netty. */
    public void send(HttpRequest request) {
        channel().writeAndFlush(request, channel().voidPromise());
    }

    /**
     * Writes and flushes a part of a request whose body is streamed ({@link #send} for its head); ownership of
     * {@code part} passes to Netty.
     */
    public void sendPart(HttpObject part) {
        channel().writeAndFlush(part, channel().voidPromise());
    }

    /** Whether the socket takes more request bytes now; {@link UpstreamExchange#onWritable()} says when it does again. */
    public boolean isWritable() {
        return channel().isWritable();
    }

    /** Stops reading from the upstream socket until {@link #resumeReading()}: the client cannot take more now. */
    public void pauseReading() {
        channel().config().setAutoRead(false);
    }

    /** Reads from the upstream socket again. */
    public void resumeReading() {
        channel().config().setAutoRead(true);
    }

    /**
     * Ends the lease and returns the connection to its pool for the next request to this origin. An idle pooled
     * connection keeps reading, so a close by the provider is noticed at once and the connection leaves the pool.
     */
    public void release() {
        exchange = null;
        reused = true;
        if (isUsable() && !channel().config().isAutoRead()) {
            resumeReading();
        }
        pool.offer(this);
    }

    /** Ends the lease and closes the connection (the response was cut short, or the client went away). */
    public void discard() {
        exchange = null;
        channel().close();
    }

    void lease(UpstreamExchange newExchange) {
        exchange = newExchange;
    }

    Channel channel() {
        ChannelHandlerContext context = ctx;
        if (context == null) {
            throw new IllegalStateException("not in a pipeline");
        }
        return context.channel();
    }

    boolean isUsable() {
        return ctx != null && ctx.channel().isActive();
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    void markIdle(long nowNanos) {
        idleSinceNanos = nowNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamExchange current = exchange;
        if (current != null && msg instanceof HttpObject part) {
            DecoderResult result = part.decoderResult();
            if (result.isFailure() && !(result.cause() instanceof PrematureChannelClosureException)) {
                // The decoder has lost its place in the byte stream: nothing more from this socket can be trusted.
                ReferenceCountUtil.release(msg);
                exchange = null;
                ctx.close();
                current.onMalformedResponse(result.cause());
                return;
            }
            current.onResponsePart(part);
            return;
        }
        // Bytes on an idle connection belong to no request: the connection can no longer be trusted.
        ReferenceCountUtil.release(msg);
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamExchange current = exchange;
        if (current != null) {
            current.onReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamExchange current = exchange;
        if (current != null && ctx.channel().isWritable()) {
            current.onWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamExchange current = exchange;
        exchange = null;
        if (current != null) {
            current.onConnectionLost(null);
        } else {
            pool.remove(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamExchange current = exchange;
        exchange = null;
        ctx.close();
        if (current != null) {
            current.onConnectionLost(cause);
        }
    }
}
