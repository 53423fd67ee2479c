package dev.llmproxy.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One paced streamed answer of a translated provider (Anthropic, Gemini, Bedrock), whatever its wire format: the
 * response head, an optional opening, one chunk per piece at its scheduled time, then the tail. A subclass writes the
 * bytes of each part; this class does the pacing and the faults, the same for every provider. Each chunk is flushed
 * on its own when a pause follows it, so a client can observe the pacing; pauses are event loop timers.
 *
 * <p>Faults: {@code mock_first_chunk_delay_ms} before the first chunk; {@code mock_cut_after_chunks} closes the
 * connection after that many chunks (no tail, no chunked-encoding terminator); {@code mock_hold_after_chunks} +
 * {@code mock_hold_ms} pause the stream after that chunk; {@code mock_error_after_chunks} sends the provider's
 * mid-stream error after that many chunks and ends the response there.
 *
 * <p>Thread-safety: confined to the connection's event loop.
 */
abstract class PacedStream {
    final ChannelHandlerContext ctx;
    final MockState state;
    final MockRequest request;
    private final boolean keepAlive;
    private final Consumer<ChannelFuture> onDone;
    private final int pieces;
    private final boolean stamped;

    private int sent;
    private boolean finished;
    /** The last content written; a cut closes the connection once it is sent. */
    private ChannelFuture lastWrite;
    private @Nullable ScheduledFuture<?> next;

    /**
     * @param pieces how many chunks the answer has
     * @param onDone told of the last write once the stream ended normally (or with its error)
     */
    PacedStream(ChannelHandlerContext ctx, MockState state, MockRequest request, boolean keepAlive,
            Consumer<ChannelFuture> onDone, int pieces) {
        this.ctx = ctx;
        this.state = state;
        this.request = request;
        this.keepAlive = keepAlive;
        this.onDone = onDone;
        this.pieces = pieces;
        this.stamped = isStamped(state, request);
        this.lastWrite = ctx.newSucceededFuture();
    }

    /** Whether a default text answer's pieces are sent as their send times ({@link SendStamp}). */
    static boolean isStamped(MockState state, MockRequest request) {
        return state.config.stampChunks() && request.content == null && request.toolName == null;
    }

    /** The text of piece {@code index}: its send time when stamped, else the planned piece. */
    final String piece(String[] planned, int index) {
        return stamped ? SendStamp.now() : planned[index];
    }

    /** Sets the content type and any provider headers of the response head. */
    abstract void headers(HttpHeaders headers);

    /** The bytes sent with the head, before the first chunk, or {@code null}. */
    @Nullable ByteBuf opening() {
        return null;
    }

    /** The bytes of chunk {@code index}. */
    abstract ByteBuf chunk(int index);

    /** The bytes after the last chunk, given how many were sent. */
    abstract ByteBuf tail(int sent);

    /** The provider's mid-stream error. */
    abstract ByteBuf error();

    final void start() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        headers(head.headers());
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        if (!keepAlive) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        lastWrite = ctx.write(head);
        state.counters.streamsStarted.incrementAndGet();
        ByteBuf opening = opening();
        if (opening != null) {
            lastWrite = ctx.write(new DefaultHttpContent(opening));
        }
        if (request.firstChunkDelayMillis > 0 && pieces > 0) {
            ctx.flush();
            next = ctx.executor().schedule(this::emitDue, request.firstChunkDelayMillis, TimeUnit.MILLISECONDS);
        } else {
            emitDue();
        }
    }

    /** Called when the connection closed under the stream: counts a cancellation unless the stream had ended. */
    final void cancel() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
        if (!finished) {
            finished = true;
            state.counters.streamsCancelled.incrementAndGet();
        }
    }

    private void emitDue() {
        next = null;
        while (!finished) {
            if (sent == request.cutAfterChunks) {
                finished = true;
                ctx.flush();
                lastWrite.addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (sent == request.errorAfterChunks) {
                end(error());
                return;
            }
            if (sent == pieces) {
                end(tail(sent));
                return;
            }
            lastWrite = ctx.write(new DefaultHttpContent(chunk(sent)));
            sent++;
            long pause = request.chunkIntervalMillis + (sent == request.holdAfterChunks ? request.holdMillis : 0);
            if (pause > 0 && sent < pieces) {
                ctx.flush();
                next = ctx.executor().schedule(this::emitDue, pause, TimeUnit.MILLISECONDS);
                return;
            }
        }
    }

    private void end(ByteBuf last) {
        finished = true;
        ChannelFuture done = ctx.writeAndFlush(new DefaultLastHttpContent(last));
        done.addListener(future -> {
            if (future.isSuccess()) {
                state.counters.streamsCompleted.incrementAndGet();
            } else {
                state.counters.streamsCancelled.incrementAndGet();
            }
        });
        onDone.accept(done);
    }
}
