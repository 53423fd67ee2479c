package dev.llmproxy.bench.jmh;

import dev.llmproxy.codec.gemini.GeminiRequestEncoder;
import dev.llmproxy.codec.gemini.GeminiRequestOptions;
import dev.llmproxy.codec.gemini.GeminiResponses;
import dev.llmproxy.codec.gemini.GeminiStreamTranslator;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
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
 * Cost of the Gemini translation path, next to {@link AnthropicTranslationBenchmark}: encode the typical 600-byte
 * OpenAI chat request as a generateContent request; translate a 16-event Gemini stream (each event a whole
 * GenerateContentResponse with one text part and the running usage, the last with finishReason, CRLF separated as
 * Google sends them) arriving in uneven reads into OpenAI chunks, usage chunk and [DONE] included (one op = one
 * stream, so divide by 16 for a translated chunk); translate a whole response into a chat.completion.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GeminiTranslationBenchmark {
    private static final int[] READ_SIZES = {230, 700, 120, 460, 1000, 90, 300};
    private static final String[] WORDS = {"Musée", " de", " la", " Vie", " romantique", ":", " a", " quiet",
        " house", " of", " 19th-century", " painters", ";", " Musée", " Nissim", " de"};
    private static final String TAIL = ",\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"HnZBaZ2xO8ul0-kP\"}";
    private static final String RESPONSE = "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Musée de la Vie "
            + "romantique: a quiet house of 19th-century painters; Musée Nissim de Camondo: an 18th-century mansion; "
            + "Musée Zadkine: a sculptor's studio and garden.\"}],\"role\":\"model\"},\"finishReason\":\"STOP\","
            + "\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":41,\"candidatesTokenCount\":38,"
            + "\"totalTokenCount\":79,\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":41}]}" + TAIL;

    @Param({"heap", "direct"})
    public String buffer;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final GeminiRequestOptions options =
            new GeminiRequestOptions("gemini", "gemini-2.5-flash", false, Set.of());
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

    /** OpenAI chat request to Gemini generateContent request, then release it (as writing it would). */
    @Benchmark
    public int encodeRequest() {
        ByteBuf out = GeminiRequestEncoder.encodeChat(alloc, request, options);
        int length = out.readableBytes();
        out.release();
        return length;
    }

    /** One whole stream, framed and translated event by event, closing events included. */
    @Benchmark
    public long translateStream() {
        GeminiStreamTranslator translator =
                new GeminiStreamTranslator(alloc, 1_700_000_000L, "gemini-2.5-flash", true, "Gemini");
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

    /** A whole generateContent response to a chat.completion. */
    @Benchmark
    public int translateBody() {
        TranslatedBody translated = GeminiResponses.translate(alloc, response, 1_700_000_000L, "gemini-2.5-flash",
                "Gemini");
        int length = translated.body().readableBytes();
        translated.body().release();
        return length;
    }

    private ByteBuf copy(byte[] bytes) {
        ByteBuf buf = "direct".equals(buffer) ? alloc.directBuffer(bytes.length) : alloc.heapBuffer(bytes.length);
        return buf.writeBytes(bytes);
    }

    /** The stream, in the shapes Gemini's streamGenerateContent?alt=sse sends. */
    static String stream() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < WORDS.length; i++) {
            boolean last = i == WORDS.length - 1;
            out.append("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"").append(WORDS[i])
                    .append("\"}],\"role\":\"model\"}").append(last ? ",\"finishReason\":\"STOP\"" : "")
                    .append(",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":41,\"candidatesTokenCount\":")
                    .append(i + 1).append(",\"totalTokenCount\":").append(42 + i).append('}').append(TAIL)
                    .append("\r\n\r\n");
        }
        return out.toString();
    }
}
