package dev.llmproxy.bench.jmh;

import dev.llmproxy.codec.anthropic.AnthropicRequestEncoder;
import dev.llmproxy.codec.anthropic.AnthropicResponses;
import dev.llmproxy.codec.anthropic.AnthropicStreamTranslator;
import dev.llmproxy.codec.json.JsonStrings;
import dev.llmproxy.codec.sse.SseEventFramer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * Cost of the Anthropic translation path: encode the typical 600-byte OpenAI chat request as a Messages request;
 * translate a 23-event Anthropic stream (message_start, block start, ping, 16 text deltas, block stop, message_delta,
 * message_stop) arriving in uneven reads into OpenAI chunks, usage chunk and [DONE] included (one op = one stream, so
 * divide by 16 for a content chunk); translate a whole Messages response into a chat.completion.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AnthropicTranslationBenchmark extends TranslationBenchmark {
    private static final String RESPONSE = "{\"id\":\"msg_013Zva2CMHLNnXjNJJKqJ2EF\",\"type\":\"message\","
            + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[{\"type\":\"text\","
            + "\"text\":\"Musée de la Vie romantique: a quiet house of 19th-century painters; Musée Nissim de Camondo: "
            + "an 18th-century mansion; Musée Zadkine: a sculptor's studio and garden.\"}],"
            + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":41,"
            + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":38}}";

    private final byte[] modelJson = JsonStrings.quote("claude-sonnet-4-5");

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

    /** OpenAI chat request to Anthropic Messages request, then release it (as writing it would). */
    @Benchmark
    public int encodeRequest() {
        return released(AnthropicRequestEncoder.encode(alloc, request, modelJson));
    }

    /** One whole stream, framed and translated event by event, closing events included. */
    @Benchmark
    public long translateStream() {
        AnthropicStreamTranslator translator = new AnthropicStreamTranslator(alloc, 1_700_000_000L, true);
        SseEventFramer framer = new SseEventFramer(alloc, 1 << 20, translator);
        return frameReads(framer) + released(framer.finish()) + released(translator.finish());
    }

    /** A whole Messages response to a chat.completion. */
    @Benchmark
    public int translateBody() {
        return released(AnthropicResponses.translate(alloc, response, 1_700_000_000L));
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
