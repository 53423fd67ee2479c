package dev.llmproxy.bench.jmh;

import dev.llmproxy.bench.mock.EventStreamFrames;
import dev.llmproxy.codec.bedrock.ConverseRequestEncoder;
import dev.llmproxy.codec.bedrock.ConverseResponses;
import dev.llmproxy.codec.bedrock.ConverseStreamTranslator;
import dev.llmproxy.codec.bedrock.EventStreamDecoder;
import dev.llmproxy.codec.translate.ChunkWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * Cost of the Bedrock translation path, next to {@link AnthropicTranslationBenchmark} and
 * {@link GeminiTranslationBenchmark}: encode the typical 600-byte OpenAI chat request as a Converse request; decode and
 * translate a ConverseStream of 16 text deltas (AWS event-stream frames, both CRCs checked, {@code messageStart} to
 * {@code metadata}) arriving in uneven reads into OpenAI chunks, usage chunk and [DONE] included (one op = one stream,
 * so divide by 16 for a translated chunk); translate a whole Converse response into a chat.completion.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BedrockTranslationBenchmark extends TranslationBenchmark {
    private static final String RESPONSE = "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":"
            + "\"Musée de la Vie romantique: a quiet house of 19th-century painters; Musée Nissim de Camondo: an "
            + "18th-century mansion; Musée Zadkine: a sculptor's studio and garden.\"}]}},\"stopReason\":\"end_turn\","
            + "\"usage\":{\"inputTokens\":41,\"outputTokens\":38,\"totalTokens\":79},\"metrics\":{\"latencyMs\":812}}";


    @Override
    byte[] requestBytes() {
        return utf8(BenchPayloads.CHAT_REQUEST);
    }

    @Override
    byte[] responseBytes() {
        return utf8(RESPONSE);
    }

    @Override
    byte[] streamBytes() {
        return stream();
    }

    /** OpenAI chat request to a Converse request, then release it (as writing it would). */
    @Benchmark
    public int encodeRequest() {
        return released(ConverseRequestEncoder.encode(alloc, request, "anthropic.claude-3-5-sonnet-20240620-v1:0",
                true, Set.of()));
    }

    /** One whole stream, decoded frame by frame and translated, closing events included. */
    @Benchmark
    public long translateStream() {
        ConverseStreamTranslator translator = new ConverseStreamTranslator(new ChunkWriter(alloc, 1_700_000_000L),
                "chatcmpl-1", "anthropic.claude-3-5-sonnet-20240620-v1:0", true);
        EventStreamDecoder decoder = new EventStreamDecoder(alloc, 1 << 20, translator);
        long forwarded = frameReads(decoder);
        boolean clean = decoder.endedCleanly();
        return forwarded + released(decoder.finish()) + released(translator.finish(clean));
    }

    /** A whole Converse response to a chat.completion. */
    @Benchmark
    public int translateBody() {
        return released(ConverseResponses.translate(alloc, response, "chatcmpl-1", 1_700_000_000L,
                "anthropic.claude-3-5-sonnet-20240620-v1:0"));
    }

    /** The stream, in the frames ConverseStream sends. */
    static byte[] stream() {
        ByteBuf out = Unpooled.buffer();
        EventStreamFrames.event(out, "messageStart", "{\"p\":\"abcdefghijklmnopqrstuvwxyzABCDEF\",\"role\":"
                + "\"assistant\"}");
        for (String word : WORDS) {
            EventStreamFrames.event(out, "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\""
                    + word + "\"},\"p\":\"abcdefghijklmnopqrstu\"}");
        }
        EventStreamFrames.event(out, "contentBlockStop", "{\"contentBlockIndex\":0,\"p\":\"abcdefghijklmnopq\"}");
        EventStreamFrames.event(out, "messageStop", "{\"p\":\"abcdefghijk\",\"stopReason\":\"end_turn\"}");
        EventStreamFrames.event(out, "metadata", "{\"metrics\":{\"latencyMs\":812},\"p\":\"abcdefghijklmnopqrs\","
                + "\"usage\":{\"inputTokens\":41,\"outputTokens\":16,\"totalTokens\":57}}");
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        return bytes;
    }
}
