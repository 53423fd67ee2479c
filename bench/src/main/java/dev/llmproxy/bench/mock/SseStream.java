package dev.llmproxy.bench.mock;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One streamed (SSE) answer: response headers, then one event per content chunk at its scheduled time, then the
 * finish chunk, the optional usage chunk and {@code data: [DONE]}. Each chunk is written and flushed on its own when
 * there is a pause before the next one, so a client can observe the pacing; with no pause, the chunks due together
 * go out in one flush. Pauses are event loop timers, never sleeping threads.
 *
 * <p>Faults: {@code mock_cut_after_chunks} closes the connection after that many chunks, without the chunked-encoding
 * terminator or [DONE]; {@code mock_hold_after_chunks} adds {@code mock_hold_ms} to the pause after that chunk.
 *
 * <p>Thread-safety: confined to the connection's event loop, so no field needs synchronisation.
 */
final class SseStream {
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ChannelHandlerContext ctx;
    private final MockState state;
    private final MockRequest request;
    private final boolean chat;
    private final String model;
    private final boolean keepAlive;
    private final Consumer<ChannelFuture> onDone;
    private final @Nullable ModelAnswers defaults;
    private final String @Nullable [] pieces;
    private final int usageIndex;
    private final int cutAfter;
    private final boolean stamped;

    private int sent;
    private boolean finished;
    private @Nullable ScheduledFuture<?> next;

    SseStream(
            ChannelHandlerContext ctx,
            MockState state,
            MockRequest request,
            boolean chat,
            String model,
            boolean keepAlive,
            Consumer<ChannelFuture> onDone) {
        this.ctx = ctx;
        this.state = state;
        this.request = request;
        this.chat = chat;
        this.model = model;
        this.keepAlive = keepAlive;
        this.onDone = onDone;
        this.stamped = PacedStream.isStamped(state, request);
        // Stamped pieces differ per chunk, so they are written as generated answers are.
        boolean isDefault = request.isDefaultAnswer(state.config) && !stamped;
        this.defaults = isDefault ? state.answers(model) : null;
        this.pieces = isDefault ? null : split(contentOf(request), request.chunks);
        this.usageIndex = request.includeUsage ? 1 : 0;
        this.cutAfter = request.cutAfterChunks == MockRequest.UNSET
                ? MockRequest.UNSET
                : Math.min(request.cutAfterChunks, request.chunks);
    }

    void start() {
        HttpResponse headers = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        headers.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        if (!keepAlive) {
            headers.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture headersWritten = ctx.write(headers);
        state.counters.streamsStarted.incrementAndGet();
        if (cutAfter == 0) {
            cut(headersWritten);
        } else if (request.chunks == 0) {
            writeTail();
        } else if (request.firstChunkDelayMillis > 0) {
            ctx.flush();
            next = ctx.executor().schedule(this::emitDue, request.firstChunkDelayMillis, TimeUnit.MILLISECONDS);
        } else {
            emitDue();
        }
    }

    /** Called when the connection closed under the stream: counts a cancellation unless the stream had ended. */
    void cancel() {
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
            ChannelFuture written = ctx.write(new DefaultHttpContent(chunk(sent)));
            sent++;
            if (sent == cutAfter) {
                cut(written);
                return;
            }
            if (sent == request.chunks) {
                writeTail();
                return;
            }
            long pause = request.chunkIntervalMillis + (sent == request.holdAfterChunks ? request.holdMillis : 0);
            if (pause > 0) {
                ctx.flush();
                next = ctx.executor().schedule(this::emitDue, pause, TimeUnit.MILLISECONDS);
                return;
            }
        }
    }

    private ByteBuf chunk(int index) {
        if (defaults != null) {
            byte[][] event = !chat ? defaults.textChunk : index == 0 ? defaults.chatFirstChunk : defaults.chatChunk;
            return copy(event[usageIndex]);
        }
        // Exactly one of defaults and pieces is set (constructor).
        String piece = stamped ? SendStamp.now() : requireNonNull(pieces, "pieces")[index];
        boolean usageNull = request.includeUsage;
        return OpenAiBodies.toSseBuffer(
                ctx.alloc(),
                chat
                        ? state.bodies.chatChunk(model, index == 0, piece, false, usageNull)
                        : state.bodies.textChunk(model, piece, false, usageNull));
    }

    private void writeTail() {
        finished = true;
        ByteBuf tail = ctx.alloc().buffer(1024);
        if (defaults != null) {
            tail.writeBytes((chat ? defaults.chatFinishChunk : defaults.textFinishChunk)[usageIndex]);
            if (request.includeUsage) {
                tail.writeBytes(chat ? defaults.chatUsageChunk : defaults.textUsageChunk);
            }
        } else {
            appendGenerated(tail);
        }
        tail.writeBytes(DONE);
        ChannelFuture done = ctx.writeAndFlush(new DefaultLastHttpContent(tail));
        done.addListener(future -> {
            if (future.isSuccess()) {
                state.counters.streamsCompleted.incrementAndGet();
            } else {
                state.counters.streamsCancelled.incrementAndGet();
            }
        });
        onDone.accept(done);
    }

    private void appendGenerated(ByteBuf tail) {
        boolean usageNull = request.includeUsage;
        ByteBuf finish = OpenAiBodies.toSseBuffer(
                ctx.alloc(),
                chat
                        ? state.bodies.chatChunk(model, sent == 0, null, true, usageNull)
                        : state.bodies.textChunk(model, "", true, usageNull));
        tail.writeBytes(finish);
        finish.release();
        if (request.includeUsage) {
            int prompt = request.promptTokens == MockRequest.UNSET
                    ? ModelAnswers.DEFAULT_PROMPT_TOKENS
                    : request.promptTokens;
            int completion = request.completionTokens == MockRequest.UNSET ? sent : request.completionTokens;
            ByteBuf usage = OpenAiBodies.toSseBuffer(
                    ctx.alloc(), state.bodies.usageChunk(chat, model, prompt, completion));
            tail.writeBytes(usage);
            usage.release();
        }
    }

    /** Ends the stream abruptly, without a terminator: closes once {@code lastWrite}, the last one written, is sent. */
    private void cut(ChannelFuture lastWrite) {
        finished = true;
        ctx.flush();
        lastWrite.addListener(ChannelFutureListener.CLOSE);
    }

    private ByteBuf copy(byte[] bytes) {
        return ctx.alloc().buffer(bytes.length).writeBytes(bytes);
    }

    private static String contentOf(MockRequest request) {
        return request.content != null ? request.content : ModelAnswers.PIECE.repeat(request.chunks);
    }

    /** Splits {@code text} into {@code parts} pieces of near-equal length without breaking a surrogate pair. */
    static String[] split(String text, int parts) {
        String[] pieces = new String[parts];
        int codePoints = text.codePointCount(0, text.length());
        int start = 0;
        for (int i = 0; i < parts; i++) {
            long endCodePoint = (long) codePoints * (i + 1) / parts;
            int end = text.offsetByCodePoints(0, (int) endCodePoint);
            pieces[i] = text.substring(start, end);
            start = end;
        }
        return pieces;
    }
}
