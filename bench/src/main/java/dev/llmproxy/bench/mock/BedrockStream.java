package dev.llmproxy.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;

/**
 * One streamed Bedrock answer ({@code /converse-stream}) in AWS event-stream frames ({@link EventStreamFrames}), in
 * ConverseStream's event order: {@code messageStart} (and a {@code contentBlockStart} naming the tool for
 * {@code mock_tool_call}), one {@code contentBlockDelta} per chunk at its scheduled time (text, or a fragment of the
 * tool's input JSON), then {@code contentBlockStop}, {@code messageStop} and {@code metadata} with the usage. Pacing
 * and faults as in {@link PacedStream}; {@code mock_error_after_chunks} sends a {@code throttlingException} message.
 *
 * <p>{@link BedrockInvokeStream} shares the pacing, the pieces, the headers and the exception frame.
 *
 * <p>Thread-safety: confined to the connection's event loop.
 */
class BedrockStream extends PacedStream {
    final String[] pieces;
    final @Nullable String toolName;

    BedrockStream(ChannelHandlerContext ctx, MockState state, MockRequest request, boolean keepAlive,
            Consumer<ChannelFuture> onDone) {
        this(ctx, state, request, keepAlive, onDone, SseStream.split(request.toolName != null
                ? request.toolArguments
                : request.content != null ? request.content : ModelAnswers.PIECE.repeat(request.chunks),
                request.chunks));
    }

    private BedrockStream(ChannelHandlerContext ctx, MockState state, MockRequest request, boolean keepAlive,
            Consumer<ChannelFuture> onDone, String[] pieces) {
        super(ctx, state, request, keepAlive, onDone, pieces.length);
        this.pieces = pieces;
        this.toolName = request.toolName;
    }

    @Override
    void headers(HttpHeaders headers) {
        headers.set(HttpHeaderNames.CONTENT_TYPE, "application/vnd.amazon.eventstream")
                .set("x-amzn-requestid", "mock-request-id");
    }

    @Override
    ByteBuf opening() {
        ByteBuf opening = ctx.alloc().buffer(256);
        EventStreamFrames.event(opening, "messageStart", "{\"role\":\"assistant\"}");
        if (toolName != null) {
            EventStreamFrames.event(opening, "contentBlockStart", "{\"contentBlockIndex\":0,\"start\":{\"toolUse\":"
                    + "{\"toolUseId\":\"tooluse_mock1\",\"name\":" + json(g -> g.writeString(toolName)) + "}}}");
        }
        return opening;
    }

    @Override
    ByteBuf chunk(int index) {
        ByteBuf chunk = ctx.alloc().buffer(192);
        String piece = json(g -> g.writeString(piece(pieces, index)));
        EventStreamFrames.event(chunk, "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":"
                + (toolName != null ? "{\"toolUse\":{\"input\":" + piece + "}}" : "{\"text\":" + piece + "}")
                + ",\"p\":\"abcdefgh\"}");
        return chunk;
    }

    @Override
    ByteBuf tail(int sent) {
        int input = request.promptTokens == MockRequest.UNSET ? ModelAnswers.DEFAULT_PROMPT_TOKENS
                : request.promptTokens;
        int output = request.completionTokens == MockRequest.UNSET ? sent : request.completionTokens;
        ByteBuf tail = ctx.alloc().buffer(512);
        EventStreamFrames.event(tail, "contentBlockStop", "{\"contentBlockIndex\":0}");
        EventStreamFrames.event(tail, "messageStop", "{\"stopReason\":\""
                + (toolName != null ? "tool_use" : "end_turn") + "\"}");
        EventStreamFrames.event(tail, "metadata", json(BedrockBodies.metadata(input, output,
                request.cacheReadTokens, request.cacheWriteTokens)));
        return tail;
    }

    @Override
    ByteBuf error() {
        ByteBuf error = ctx.alloc().buffer(256);
        EventStreamFrames.exception(error, "throttlingException",
                json(BedrockBodies.error(BedrockBodies.defaultMessage(429))));
        return error;
    }

    final String json(Consumer<JsonGenerator> writer) {
        ByteBuf buf = OpenAiBodies.toBuffer(ctx.alloc(), writer);
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }
}
