package dev.llmproxy.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.function.Consumer;
import tools.jackson.core.JsonGenerator;

/**
 * One streamed Gemini answer ({@code streamGenerateContent?alt=sse}) as Google sends it: one
 * {@code data: <GenerateContentResponse>\r\n\r\n} event per chunk, each carrying a text fragment and the running
 * usage, the last one also {@code finishReason: STOP} and the final usage; no {@code [DONE]}. With
 * {@code mock_tool_call} the answer is one chunk holding the whole {@code functionCall}. Pacing and faults as in
 * {@link PacedStream}.
 *
 * <p>Faults: {@code mock_cut_after_chunks} closes the connection after that many chunks;
 * {@code mock_hold_after_chunks} + {@code mock_hold_ms} pause the stream after that chunk;
 * {@code mock_error_after_chunks} sends a {@code RESOURCE_EXHAUSTED} error object as an event after that many chunks
 * and ends the response there (as Google does when a quota runs out mid-stream).
 *
 * <p>Thread-safety: confined to the connection's event loop.
 */
final class GeminiStream extends PacedStream {
    private static final byte[] DATA = "data: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] END = "\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final String model;
    private final String[] pieces;
    private final int promptTokens;

    GeminiStream(ChannelHandlerContext ctx, MockState state, MockRequest request, String model, boolean keepAlive,
            Consumer<ChannelFuture> onDone) {
        this(ctx, state, request, model, keepAlive, onDone, request.toolName != null ? new String[] {""}
                : SseStream.split(request.content != null ? request.content
                        : ModelAnswers.PIECE.repeat(request.chunks), request.chunks));
    }

    private GeminiStream(ChannelHandlerContext ctx, MockState state, MockRequest request, String model,
            boolean keepAlive, Consumer<ChannelFuture> onDone, String[] pieces) {
        super(ctx, state, request, keepAlive, onDone, pieces.length);
        this.model = model;
        this.pieces = pieces;
        this.promptTokens = request.promptTokens == MockRequest.UNSET ? ModelAnswers.DEFAULT_PROMPT_TOKENS
                : request.promptTokens;
    }

    @Override
    void headers(HttpHeaders headers) {
        headers.set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
    }

    @Override
    ByteBuf chunk(int index) {
        ByteBuf chunk = ctx.alloc().buffer(256);
        append(chunk, GeminiBodies.response(model, piece(pieces, index), request.toolName, request.toolArguments, null,
                promptTokens, index + 1, 0));
        return chunk;
    }

    @Override
    ByteBuf tail(int sent) {
        ByteBuf tail = ctx.alloc().buffer(256);
        int output = request.completionTokens == MockRequest.UNSET ? sent : request.completionTokens;
        append(tail, GeminiBodies.response(model, "", null, "{}", finishReason(), promptTokens, output,
                request.thoughtTokens));
        return tail;
    }

    @Override
    ByteBuf error() {
        ByteBuf error = ctx.alloc().buffer(256);
        append(error, GeminiBodies.error(429, GeminiBodies.defaultMessage(429)));
        return error;
    }

    private String finishReason() {
        return request.finishReason != null ? request.finishReason : "STOP";
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
