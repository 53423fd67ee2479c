package dev.llmproxy.bench.jmh;

import dev.llmproxy.codec.anthropic.AnthropicRequestEncoder;
import dev.llmproxy.codec.anthropic.AnthropicResponses;
import dev.llmproxy.codec.anthropic.AnthropicStreamTranslator;
import dev.llmproxy.codec.json.JsonStrings;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
 * Cost of the Anthropic translation path: encode the typical 600-byte OpenAI chat request as a Messages request;
 * translate a 23-event Anthropic stream (message_start, block start, ping, 16 text deltas, block stop, message_delta,
 * message_stop) arriving in uneven reads into OpenAI chunks, usage chunk and [DONE] included (one op = one stream, so
 * divide by 16 for a content chunk); translate a whole Messages response into a chat.completion.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AnthropicTranslationBenchmark {
    private static final int[] READ_SIZES = {230, 700, 120, 460, 1000, 90, 300};
    private static final String[] WORDS = {"Musée", " de", " la", " Vie", " romantique", ":", " a", " quiet",
        " house", " of", " 19th-century", " painters", ";", " Musée", " Nissim", " de"};
    private static final String RESPONSE = "{\"id\":\"msg_013Zva2CMHLNnXjNJJKqJ2EF\",\"type\":\"message\","
            + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[{\"type\":\"text\","
            + "\"text\":\"Musée de la Vie romantique: a quiet house of 19th-century painters; Musée Nissim de Camondo: "
            + "an 18th-century mansion; Musée Zadkine: a sculptor's studio and garden.\"}],"
            + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":41,"
            + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":38}}";

    @Param({"heap", "direct"})
    public String buffer;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final byte[] modelJson = JsonStrings.quote("claude-sonnet-4-5");
    private ByteBuf request;
    private ByteBuf response;
    private ByteBuf[] reads;

    @Setup(Level.Trial)
    public void setUp() {
        request = copy(BenchPayloads.CHAT_REQUEST.getBytes(StandardCharsets.UTF_8));
        response = copy(RESPONSE.getBytes(StandardCharsets.UTF_8));
        byte[] stream = stream().getBytes(StandardCharsets.UTF_8);
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

    /** OpenAI chat request to Anthropic Messages request, then release it (as writing it would). */
    @Benchmark
    public int encodeRequest() {
        ByteBuf out = AnthropicRequestEncoder.encode(alloc, request, modelJson);
        int length = out.readableBytes();
        out.release();
        return length;
    }

    /** One whole stream, framed and translated event by event, closing events included. */
    @Benchmark
    public long translateStream() {
        AnthropicStreamTranslator translator = new AnthropicStreamTranslator(alloc, 1_700_000_000L, true);
        SseEventFramer framer = new SseEventFramer(alloc, 1 << 20, translator);
        long forwarded = 0;
        for (ByteBuf read : reads) {
            ByteBuf out = framer.frame(read);
            forwarded += out.readableBytes();
            out.release();
        }
        framer.finish().release();
        ByteBuf end = translator.finish();
        if (end != null) {
            forwarded += end.readableBytes();
            end.release();
        }
        return forwarded;
    }

    /** A whole Messages response to a chat.completion. */
    @Benchmark
    public int translateBody() {
        TranslatedBody translated = AnthropicResponses.translate(alloc, response, 1_700_000_000L);
        int length = translated.body().readableBytes();
        translated.body().release();
        return length;
    }

    private ByteBuf copy(byte[] bytes) {
        ByteBuf buf = "direct".equals(buffer) ? alloc.directBuffer(bytes.length) : alloc.heapBuffer(bytes.length);
        return buf.writeBytes(bytes);
    }

    /** The stream, in the event shapes of Anthropic's streaming documentation. */
    static String stream() {
        StringBuilder out = new StringBuilder();
        event(out, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_013Zva2CMHLNnXjNJJKqJ2EF\","
                + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5-20250929\","
                + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":41,"
                + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}");
        event(out, "content_block_start",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
        event(out, "ping", "{\"type\": \"ping\"}");
        for (String word : WORDS) {
            event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":\"" + word + "\"}}");
        }
        event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        event(out, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":16}}");
        event(out, "message_stop", "{\"type\":\"message_stop\"}");
        return out.toString();
    }

    private static void event(StringBuilder out, String type, String data) {
        out.append("event: ").append(type).append("\ndata: ").append(data).append("\n\n");
    }
}
