package dev.llmproxy.bench.jmh;

import dev.llmproxy.bench.mock.EventStreamFrames;
import dev.llmproxy.codec.bedrock.ConverseRequestEncoder;
import dev.llmproxy.codec.bedrock.ConverseResponses;
import dev.llmproxy.codec.bedrock.ConverseStreamTranslator;
import dev.llmproxy.codec.bedrock.EventStreamDecoder;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.translate.ChunkWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of the Bedrock translation path, next to {@link AnthropicTranslationBenchmark} and
 * {@link GeminiTranslationBenchmark}: encode the typical 600-byte OpenAI chat request as a Converse request; decode and
 * translate a ConverseStream of 16 text deltas (AWS event-stream frames, both CRCs checked, {@code messageStart} to
 * {@code metadata}) arriving in uneven reads into OpenAI chunks, usage chunk and [DONE] included (one op = one stream,
 * so divide by 16 for a translated chunk); translate a whole Converse response into a chat.completion.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BedrockTranslationBenchmark {
    private static final int[] READ_SIZES = {230, 700, 120, 460, 1000, 90, 300};
    private static final String[] WORDS = {"Musée", " de", " la", " Vie", " romantique", ":", " a", " quiet",
        " house", " of", " 19th-century", " painters", ";", " Musée", " Nissim", " de"};
    private static final String RESPONSE = "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":"
            + "\"Musée de la Vie romantique: a quiet house of 19th-century painters; Musée Nissim de Camondo: an "
            + "18th-century mansion; Musée Zadkine: a sculptor's studio and garden.\"}]}},\"stopReason\":\"end_turn\","
            + "\"usage\":{\"inputTokens\":41,\"outputTokens\":38,\"totalTokens\":79},\"metrics\":{\"latencyMs\":812}}";

    @Param({"heap", "direct"})
    public String buffer;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private ByteBuf request;
    private ByteBuf response;
    private ByteBuf[] reads;

    @Setup(Level.Trial)
    public void setUp() {
        request = copy(BenchPayloads.CHAT_REQUEST.getBytes(StandardCharsets.UTF_8));
        response = copy(RESPONSE.getBytes(StandardCharsets.UTF_8));
        byte[] stream = stream();
        List<ByteBuf> list = new ArrayList<>();
        int from = 0;
        for (int i = 0; from < stream.length; i++) {
            int n = Math.min(READ_SIZES[i % READ_SIZES.length], stream.length - from);
            ByteBuf read = "direct".equals(buffer) ? alloc.directBuffer(n) : alloc.heapBuffer(n);
            list.add(read.writeBytes(stream, from, n));
            from += n;
        }
        reads = list.toArray(new ByteBuf[0]);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        request.release();
        response.release();
        for (ByteBuf read : reads) {
            read.release();
        }
    }

    /** OpenAI chat request to a Converse request, then release it (as writing it would). */
    @Benchmark
    public int encodeRequest() {
        ByteBuf out = ConverseRequestEncoder.encode(alloc, request, "anthropic.claude-3-5-sonnet-20240620-v1:0",
                true, Set.of());
        int length = out.readableBytes();
        out.release();
        return length;
    }

    /** One whole stream, decoded frame by frame and translated, closing events included. */
    @Benchmark
    public long translateStream() {
        ConverseStreamTranslator translator = new ConverseStreamTranslator(new ChunkWriter(alloc, 1_700_000_000L),
                "chatcmpl-1", "anthropic.claude-3-5-sonnet-20240620-v1:0", true);
        EventStreamDecoder decoder = new EventStreamDecoder(alloc, 1 << 20, translator);
        long forwarded = 0;
        for (ByteBuf read : reads) {
            ByteBuf out = decoder.frame(read);
            forwarded += out.readableBytes();
            out.release();
        }
        boolean clean = decoder.endedCleanly();
        decoder.finish().release();
        ByteBuf end = translator.finish(clean);
        if (end != null) {
            forwarded += end.readableBytes();
            end.release();
        }
        return forwarded;
    }

    /** A whole Converse response to a chat.completion. */
    @Benchmark
    public int translateBody() {
        TranslatedBody translated = ConverseResponses.translate(alloc, response, "chatcmpl-1", 1_700_000_000L,
                "anthropic.claude-3-5-sonnet-20240620-v1:0");
        int length = translated.body().readableBytes();
        translated.body().release();
        return length;
    }

    private ByteBuf copy(byte[] bytes) {
        ByteBuf buf = "direct".equals(buffer) ? alloc.directBuffer(bytes.length) : alloc.heapBuffer(bytes.length);
        return buf.writeBytes(bytes);
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
