package dev.llmproxy.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import tools.jackson.core.JsonGenerator;

/**
 * One streamed Anthropic answer, in the event order of Anthropic's "Streaming Messages" documentation:
 * {@code message_start}, {@code content_block_start}, {@code ping}, one {@code content_block_delta} per chunk at its
 * scheduled time, {@code content_block_stop}, {@code message_delta} (stop reason and output tokens),
 * {@code message_stop}. Each event is {@code event: <type>\ndata: <json>\n\n}. Pacing and faults as in
 * {@link PacedStream}.
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
final class AnthropicStream extends PacedStream {
    private final String model;
    private final String[] pieces;

    AnthropicStream(ChannelHandlerContext ctx, MockState state, MockRequest request, String model, boolean keepAlive,
            Consumer<ChannelFuture> onDone) {
        this(ctx, state, request, model, keepAlive, onDone, SseStream.split(request.toolName != null
                ? request.toolArguments
                : request.content != null ? request.content : ModelAnswers.PIECE.repeat(request.chunks),
                request.chunks));
    }

    private AnthropicStream(ChannelHandlerContext ctx, MockState state, MockRequest request, String model,
            boolean keepAlive, Consumer<ChannelFuture> onDone, String[] pieces) {
        super(ctx, state, request, keepAlive, onDone, pieces.length);
        this.model = model;
        this.pieces = pieces;
    }

    @Override
    void headers(HttpHeaders headers) {
        headers.set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    }

    @Override
    ByteBuf opening() {
        int input = request.promptTokens == MockRequest.UNSET ? ModelAnswers.DEFAULT_PROMPT_TOKENS
                : request.promptTokens;
        ByteBuf opening = ctx.alloc().buffer(512);
        append(opening, "message_start", AnthropicBodies.messageStart(model, input));
        append(opening, "content_block_start", AnthropicBodies.blockStart(request.toolName));
        append(opening, "ping", AnthropicBodies.typeOnly("ping"));
        return opening;
    }

    @Override
    ByteBuf chunk(int index) {
        ByteBuf delta = ctx.alloc().buffer(192);
        append(delta, "content_block_delta", AnthropicBodies.delta(piece(pieces, index), request.toolName != null));
        return delta;
    }

    @Override
    ByteBuf tail(int sent) {
        int output = request.completionTokens == MockRequest.UNSET ? sent : request.completionTokens;
        ByteBuf tail = ctx.alloc().buffer(512);
        append(tail, "content_block_stop", AnthropicBodies.blockStop());
        append(tail, "message_delta", AnthropicBodies.messageDelta(output, request.toolName != null));
        append(tail, "message_stop", AnthropicBodies.typeOnly("message_stop"));
        return tail;
    }

    @Override
    ByteBuf error() {
        ByteBuf error = ctx.alloc().buffer(256);
        append(error, "error", AnthropicBodies.error("overloaded_error", "Overloaded"));
        return error;
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
