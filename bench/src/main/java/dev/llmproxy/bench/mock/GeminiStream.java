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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;

/**
 * One streamed Gemini answer ({@code streamGenerateContent?alt=sse}) as Google sends it: one
 * {@code data: <GenerateContentResponse>\r\n\r\n} event per chunk, each carrying a text fragment and the running
 * usage, the last one also {@code finishReason: STOP} and the final usage; no {@code [DONE]}. With
 * {@code mock_tool_call} the answer is one chunk holding the whole {@code functionCall}. Pacing as in
 * {@link SseStream}: event loop timers, a flush before each pause.
 *
 * <p>Faults: {@code mock_cut_after_chunks} closes the connection after that many chunks;
 * {@code mock_hold_after_chunks} + {@code mock_hold_ms} pause the stream after that chunk;
 * {@code mock_error_after_chunks} sends a {@code RESOURCE_EXHAUSTED} error object as an event after that many chunks
 * and ends the response there (as Google does when a quota runs out mid-stream).
 *
 * <p>Thread-safety: confined to the connection's event loop.
 */
final class GeminiStream {
    private static final byte[] DATA = "data: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] END = "\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final ChannelHandlerContext ctx;
    private final MockState state;
    private final MockRequest request;
    private final String model;
    private final boolean keepAlive;
    private final Consumer<ChannelFuture> onDone;
    private final String[] pieces;
    private final int promptTokens;

    private int sent;
    private boolean finished;
    private ChannelFuture lastWrite;
    private @Nullable ScheduledFuture<?> next;

    GeminiStream(ChannelHandlerContext ctx, MockState state, MockRequest request, String model, boolean keepAlive,
            Consumer<ChannelFuture> onDone) {
        this.ctx = ctx;
        this.state = state;
        this.request = request;
        this.model = model;
        this.keepAlive = keepAlive;
        this.onDone = onDone;
        String content = request.content != null ? request.content : ModelAnswers.PIECE.repeat(request.chunks);
        this.pieces = request.toolName != null ? new String[] {""} : SseStream.split(content, request.chunks);
        this.promptTokens = request.promptTokens == MockRequest.UNSET ? ModelAnswers.DEFAULT_PROMPT_TOKENS
                : request.promptTokens;
        this.lastWrite = ctx.newSucceededFuture();
    }

    void start() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        if (!keepAlive) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        lastWrite = ctx.write(head);
        state.counters.streamsStarted.incrementAndGet();
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
                finished = true;
                ctx.flush();
                lastWrite.addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (sent == request.errorAfterChunks) {
                ByteBuf error = ctx.alloc().buffer(256);
                append(error, GeminiBodies.error(429, GeminiBodies.defaultMessage(429)));
                end(error);
                return;
            }
            if (sent == pieces.length) {
                ByteBuf tail = ctx.alloc().buffer(256);
                int output = request.completionTokens == MockRequest.UNSET ? sent : request.completionTokens;
                append(tail, GeminiBodies.response(model, "", null, "{}", finishReason(), promptTokens, output,
                        request.thoughtTokens));
                end(tail);
                return;
            }
            ByteBuf chunk = ctx.alloc().buffer(256);
            append(chunk, GeminiBodies.response(model, pieces[sent], request.toolName, request.toolArguments, null,
                    promptTokens, sent + 1, 0));
            lastWrite = ctx.write(new DefaultHttpContent(chunk));
            sent++;
            long pause = request.chunkIntervalMillis + (sent == request.holdAfterChunks ? request.holdMillis : 0);
            if (pause > 0 && sent < pieces.length) {
                ctx.flush();
                next = ctx.executor().schedule(this::emitDue, pause, TimeUnit.MILLISECONDS);
                return;
            }
        }
    }

    private String finishReason() {
        return request.finishReason != null ? request.finishReason : "STOP";
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

    /** Appends {@code data: <json>\r\n\r\n} to {@code out}. */
    private static void append(ByteBuf out, Consumer<JsonGenerator> json) {
        out.writeBytes(DATA);
        ByteBuf body = OpenAiBodies.toBuffer(out.alloc(), json);
        try {
            out.writeBytes(body);
        } finally {
            body.release();
        }
        out.writeBytes(END);
    }
}
