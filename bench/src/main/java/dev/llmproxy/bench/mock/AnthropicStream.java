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
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;

/**
 * One streamed Anthropic answer, in the event order of Anthropic's "Streaming Messages" documentation:
 * {@code message_start}, {@code content_block_start}, {@code ping}, one {@code content_block_delta} per chunk at its
 * scheduled time, {@code content_block_stop}, {@code message_delta} (stop reason and output tokens),
 * {@code message_stop}. Each event is {@code event: <type>\ndata: <json>\n\n}. Pacing as in {@link SseStream}: event
 * loop timers, a flush before each pause.
 *
 * <p>With {@code mock_tool_call} the block is a {@code tool_use} whose arguments are streamed as
 * {@code input_json_delta}s, and the stop reason is {@code tool_use}.
 *
 * <p>Faults: {@code mock_cut_after_chunks} closes the connection after that many deltas;
 * {@code mock_hold_after_chunks} + {@code mock_hold_ms} pause the stream after that delta;
 * {@code mock_error_after_chunks} sends an {@code overloaded_error} error event after that many deltas and ends the
 * response there (as Anthropic does when it is overloaded mid-stream).
 *
 * <p>Thread-safety: confined to the connection's event loop.
 */
final class AnthropicStream {
    private final ChannelHandlerContext ctx;
    private final MockState state;
    private final MockRequest request;
    private final String model;
    private final boolean keepAlive;
    private final Consumer<ChannelFuture> onDone;
    private final String[] pieces;

    private int sent;
    private boolean finished;
    /** The last content written; a cut closes the connection once it is sent. */
    private ChannelFuture lastWrite;
    private @Nullable ScheduledFuture<?> next;

    AnthropicStream(ChannelHandlerContext ctx, MockState state, MockRequest request, String model, boolean keepAlive,
            Consumer<ChannelFuture> onDone) {
        this.ctx = ctx;
        this.state = state;
        this.request = request;
        this.model = model;
        this.keepAlive = keepAlive;
        this.onDone = onDone;
        String content = request.toolName != null ? request.toolArguments
                : request.content != null ? request.content : ModelAnswers.PIECE.repeat(request.chunks);
        this.pieces = SseStream.split(content, request.chunks);
        this.lastWrite = ctx.newSucceededFuture();
    }

    void start() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        if (!keepAlive) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.write(head);
        state.counters.streamsStarted.incrementAndGet();
        int input = request.promptTokens == MockRequest.UNSET ? ModelAnswers.DEFAULT_PROMPT_TOKENS
                : request.promptTokens;
        ByteBuf opening = ctx.alloc().buffer(512);
        append(opening, "message_start", AnthropicBodies.messageStart(model, input));
        append(opening, "content_block_start", AnthropicBodies.blockStart(request.toolName));
        append(opening, "ping", AnthropicBodies.typeOnly("ping"));
        lastWrite = ctx.write(new DefaultHttpContent(opening));
        if (request.firstChunkDelayMillis > 0 && pieces.length > 0) {
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
            if (sent == request.cutAfterChunks) {
                cut();
                return;
            }
            if (sent == request.errorAfterChunks) {
                ByteBuf error = ctx.alloc().buffer(256);
                append(error, "error", AnthropicBodies.error("overloaded_error", "Overloaded"));
                end(error);
                return;
            }
            if (sent == pieces.length) {
                writeTail();
                return;
            }
            ByteBuf delta = ctx.alloc().buffer(192);
            append(delta, "content_block_delta", AnthropicBodies.delta(pieces[sent], request.toolName != null));
            lastWrite = ctx.write(new DefaultHttpContent(delta));
            sent++;
            long pause = request.chunkIntervalMillis + (sent == request.holdAfterChunks ? request.holdMillis : 0);
            if (pause > 0 && sent < pieces.length) {
                ctx.flush();
                next = ctx.executor().schedule(this::emitDue, pause, TimeUnit.MILLISECONDS);
                return;
            }
        }
    }

    private void writeTail() {
        int output = request.completionTokens == MockRequest.UNSET ? sent : request.completionTokens;
        ByteBuf tail = ctx.alloc().buffer(512);
        append(tail, "content_block_stop", AnthropicBodies.blockStop());
        append(tail, "message_delta", AnthropicBodies.messageDelta(output, request.toolName != null));
        append(tail, "message_stop", AnthropicBodies.typeOnly("message_stop"));
        end(tail);
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

    private void cut() {
        finished = true;
        ctx.flush();
        lastWrite.addListener(ChannelFutureListener.CLOSE);
    }

    /** Appends {@code event: <type>\ndata: <json>\n\n} to {@code out}. */
    static void append(ByteBuf out, String type, Consumer<JsonGenerator> json) {
        out.writeCharSequence("event: " + type + "\ndata: ", StandardCharsets.US_ASCII);
        ByteBuf body = OpenAiBodies.toBuffer(out.alloc(), json);
        try {
            out.writeBytes(body);
        } finally {
            body.release();
        }
        out.writeByte('\n').writeByte('\n');
    }
}
