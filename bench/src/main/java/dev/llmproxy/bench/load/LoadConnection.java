package dev.llmproxy.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * One keep-alive connection of a {@link Lane}: writes the precomputed request and reports response completion (and,
 * for streams, SSE event arrivals) to the lane. It is the only handler of its pipeline; inbound {@link ByteBuf}s are
 * scanned and released here.
 *
 * <p>Thread-safety: confined to the lane's event loop, like every field it touches; no locks needed.
 */
final class LoadConnection extends ChannelInboundHandlerAdapter implements HttpResponseScanner.Listener {

    private final Lane lane;
    private final HttpResponseScanner scanner = new HttpResponseScanner(this);
    private final @Nullable SseEventScanner sse;
    private @Nullable Channel channel;
    private boolean inFlight;
    private long intendedNanos;
    private long sentNanos;
    private long readNanos;
    /** Per-request measurement state of the owning lane (a {@link StreamProbe} for streams), or null. */
    @Nullable StreamProbe probe;

    /** @param streamShape the shape of the streams whose content events are reported; null for plain responses */
    LoadConnection(Lane lane, @Nullable StreamShape streamShape) {
        this.lane = lane;
        this.sse = streamShape == null ? null : new SseEventScanner(streamShape);
    }

    boolean isInFlight() {
        return inFlight;
    }

    long intendedNanos() {
        return intendedNanos;
    }

    long sentNanos() {
        return sentNanos;
    }

    /** Sends the request now; {@code intendedNanos} is when the schedule wanted it sent. */
    void send(long intendedNanos, long nowNanos) {
        Channel ch = channel;
        if (ch == null || inFlight) {
            throw new IllegalStateException("connection not ready");
        }
        inFlight = true;
        this.intendedNanos = intendedNanos;
        this.sentNanos = nowNanos;
        if (sse != null) {
            sse.reset();
        }
        ch.writeAndFlush(lane.requestBuffer().retainedDuplicate(), ch.voidPromise());
    }

    void close() {
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Not channelActive: the lane learns of the connection from the connect future, which completes first.
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        readNanos = lane.ticker().nanoTime();
        try {
            scanner.feed(buf);
        } finally {
            buf.release();
        }
        if (sse != null && inFlight) {
            reportEvents(sse);
        }
        if (scanner.isFailed()) {
            ctx.close();
        }
    }

    @Override
    public void onBody(ByteBuf buf, int index, int length) {
        if (sse != null) {
            sse.scan(buf, index, length);
        }
    }

    @Override
    public void onResponseComplete(int status) {
        if (!inFlight) {
            return;
        }
        if (sse != null) {
            reportEvents(sse);
        }
        inFlight = false;
        lane.onResponse(this, status, readNanos);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        readNanos = lane.ticker().nanoTime();
        scanner.endOfInput();
        boolean lost = inFlight;
        inFlight = false;
        channel = null;
        lane.onConnectionClosed(this, lost, readNanos);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The lane counts the failure when the close below reports an in-flight request as lost.
        ctx.close();
    }

    private void reportEvents(SseEventScanner scanner) {
        int n = scanner.drainEvents();
        if (n > 0) {
            lane.onEvents(this, scanner, n, readNanos);
        }
    }
}
