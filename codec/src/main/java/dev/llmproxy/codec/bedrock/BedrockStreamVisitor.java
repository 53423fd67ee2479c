package dev.llmproxy.codec.bedrock;

import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

/**
 * A translation of one Bedrock event stream into OpenAI chunks: ConverseStream's events
 * ({@link ConverseStreamTranslator}) or InvokeModelWithResponseStream's ({@link InvokeStreamTranslator}).
 */
public interface BedrockStreamVisitor extends EventStreamDecoder.Visitor {

    /**
     * The events that close the client's stream once Bedrock's has ended, or {@code null} when none are due.
     *
     * @param endedCleanly whether the decoder saw only whole messages ({@link EventStreamDecoder#endedCleanly})
     * @return a new buffer owned by the caller, or {@code null}
     */
    @Nullable ByteBuf finish(boolean endedCleanly);

    /** The usage reported so far, or {@code null}. */
    @Nullable Usage usage();
}
