package dev.llmproxy.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Consumer;
import tools.jackson.core.JsonGenerator;

/**
 * One streamed InvokeModel answer for Claude ({@code /invoke-with-response-stream}): Anthropic's Messages stream
 * events ({@link AnthropicBodies}), each base64'd into the {@code bytes} of a {@code chunk} event in AWS event-stream
 * frames ({@link EventStreamFrames}), as Bedrock sends them: {@code message_start}, {@code content_block_start}, one
 * {@code content_block_delta} per chunk at its scheduled time, then {@code content_block_stop},
 * {@code message_delta} and {@code message_stop}. Pacing, faults and the {@code throttlingException} of
 * {@code mock_error_after_chunks} as in {@link BedrockStream}.
 *
 * <p>Thread-safety: confined to the connection's event loop.
 */
final class BedrockInvokeStream extends BedrockStream {
    /** The model Bedrock's Claude answers name. */
    static final String CLAUDE = "claude-3-5-sonnet-20240620";

    BedrockInvokeStream(ChannelHandlerContext ctx, MockState state, MockRequest request, boolean keepAlive,
            Consumer<ChannelFuture> onDone) {
        super(ctx, state, request, keepAlive, onDone);
    }

    @Override
    ByteBuf opening() {
        int input = request.promptTokens == MockRequest.UNSET ? ModelAnswers.DEFAULT_PROMPT_TOKENS
                : request.promptTokens;
        ByteBuf opening = ctx.alloc().buffer(512);
        chunk(opening, AnthropicBodies.messageStart(CLAUDE, input));
        chunk(opening, AnthropicBodies.blockStart(toolName));
        return opening;
    }

    @Override
    ByteBuf chunk(int index) {
        ByteBuf chunk = ctx.alloc().buffer(256);
        chunk(chunk, AnthropicBodies.delta(piece(pieces, index), toolName != null));
        return chunk;
    }

    @Override
    ByteBuf tail(int sent) {
        int output = request.completionTokens == MockRequest.UNSET ? sent : request.completionTokens;
        ByteBuf tail = ctx.alloc().buffer(512);
        chunk(tail, AnthropicBodies.blockStop());
        chunk(tail, AnthropicBodies.messageDelta(output, toolName != null));
        chunk(tail, AnthropicBodies.typeOnly("message_stop"));
        return tail;
    }

    /** Appends one {@code chunk} frame carrying {@code event} base64'd. */
    private void chunk(ByteBuf out, Consumer<JsonGenerator> event) {
        String bytes = Base64.getEncoder().encodeToString(json(event).getBytes(StandardCharsets.UTF_8));
        EventStreamFrames.event(out, "chunk", "{\"bytes\":\"" + bytes + "\",\"p\":\"abcd\"}");
    }
}
