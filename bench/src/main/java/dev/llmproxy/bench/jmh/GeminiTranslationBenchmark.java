package dev.llmproxy.bench.jmh;

import dev.llmproxy.codec.gemini.GeminiRequestEncoder;
import dev.llmproxy.codec.gemini.GeminiRequestOptions;
import dev.llmproxy.codec.gemini.GeminiResponses;
import dev.llmproxy.codec.gemini.GeminiStreamTranslator;
import dev.llmproxy.codec.sse.SseEventFramer;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * Cost of the Gemini translation path, next to {@link AnthropicTranslationBenchmark}: encode the typical 600-byte
 * OpenAI chat request as a generateContent request; translate a 16-event Gemini stream (each event a whole
 * GenerateContentResponse with one text part and the running usage, the last with finishReason, CRLF separated as
 * Google sends them) arriving in uneven reads into OpenAI chunks, usage chunk and [DONE] included (one op = one
 * stream, so divide by 16 for a translated chunk); translate a whole response into a chat.completion.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GeminiTranslationBenchmark extends TranslationBenchmark {
    private static final String TAIL = ",\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"HnZBaZ2xO8ul0-kP\"}";
    private static final String RESPONSE = "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Musée de la Vie "
            + "romantique: a quiet house of 19th-century painters; Musée Nissim de Camondo: an 18th-century mansion; "
            + "Musée Zadkine: a sculptor's studio and garden.\"}],\"role\":\"model\"},\"finishReason\":\"STOP\","
            + "\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":41,\"candidatesTokenCount\":38,"
            + "\"totalTokenCount\":79,\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":41}]}" + TAIL;

    private final GeminiRequestOptions options =
            new GeminiRequestOptions("gemini", "gemini-2.5-flash", false, Set.of());

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
        return utf8(stream());
    }

    /** OpenAI chat request to Gemini generateContent request, then release it (as writing it would). */
    @Benchmark
    public int encodeRequest() {
        return released(GeminiRequestEncoder.encodeChat(alloc, request, options));
    }

    /** One whole stream, framed and translated event by event, closing events included. */
    @Benchmark
    public long translateStream() {
        GeminiStreamTranslator translator =
                new GeminiStreamTranslator(alloc, 1_700_000_000L, "gemini-2.5-flash", true, "Gemini");
        SseEventFramer framer = new SseEventFramer(alloc, 1 << 20, translator);
        return frameReads(framer) + released(framer.finish()) + released(translator.finish());
    }

    /** A whole generateContent response to a chat.completion. */
    @Benchmark
    public int translateBody() {
        return released(GeminiResponses.translate(alloc, response, 1_700_000_000L, "gemini-2.5-flash",
                "Gemini"));
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
