package dev.llmproxy.bench.jmh;

import dev.llmproxy.codec.messages.MessagesRequest;
import dev.llmproxy.codec.messages.MessagesResponses;
import dev.llmproxy.codec.messages.MessagesStream;
import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * Cost of {@code /v1/messages} on a deployment that does not speak the Messages API, next to
 * {@link GeminiTranslationBenchmark}: translate a typical Anthropic SDK request (system prompt, a tool, three turns)
 * into an OpenAI chat request; translate a 16-chunk OpenAI stream (role chunk, 14 content chunks, finish chunk, usage
 * chunk, [DONE]; 18 events) arriving in uneven reads into Anthropic's events (one op = one stream: divide by 18 for a
 * translated event); translate a whole chat.completion into a message.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MessagesTranslationBenchmark extends TranslationBenchmark {
    /** Events in {@link #stream()}: the per-event figure is the stream's divided by this. */
    public static final int EVENTS = 18;
    private static final String[] TEXT = {"Musée", " de", " la", " Vie", " romantique", ":", " a", " quiet",
        " house", " of", " 19th-century", " painters", ";", " Musée"};
    private static final String HEAD = "data: {\"id\":\"chatcmpl-BdV2vQ\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1748870000,\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\","
            + "\"system_fingerprint\":\"fp_34a54ae93c\",\"choices\":";
    private static final String REQUEST = "{\"max_tokens\":1024,\"messages\":[{\"role\":\"user\",\"content\":"
            + "\"Which small museums in Paris are worth a visit?\"},{\"role\":\"assistant\",\"content\":[{\"type\":"
            + "\"text\",\"text\":\"Let me look that up.\"},{\"type\":\"tool_use\",\"id\":\"toolu_01A\",\"name\":"
            + "\"search\",\"input\":{\"query\":\"small museums Paris\"}}]},{\"role\":\"user\",\"content\":[{\"type\":"
            + "\"tool_result\",\"tool_use_id\":\"toolu_01A\",\"content\":\"Musée de la Vie romantique; Musée "
            + "Nissim de Camondo; Musée Zadkine\"}]}],\"model\":\"gpt-4o-mini\",\"system\":\"You are a concise "
            + "travel guide.\",\"tools\":[{\"name\":\"search\",\"description\":\"Search the web\",\"input_schema\":"
            + "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"}},\"required\":[\"query\"]}}],"
            + "\"temperature\":0.3,\"stream\":true}";
    private static final String RESPONSE = "{\"id\":\"chatcmpl-BdV2vQ\",\"object\":\"chat.completion\","
            + "\"created\":1748870000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"Musée de la Vie romantique: a quiet house of 19th-century "
            + "painters; Musée Nissim de Camondo: an 18th-century mansion; Musée Zadkine: a sculptor's studio and "
            + "garden.\",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":41,\"completion_tokens\":38,\"total_tokens\":79,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0}},\"service_tier\":\"default\","
            + "\"system_fingerprint\":\"fp_34a54ae93c\"}";


    @Override
    byte[] requestBytes() {
        return utf8(REQUEST);
    }

    @Override
    byte[] responseBytes() {
        return utf8(RESPONSE);
    }

    @Override
    byte[] streamBytes() {
        return utf8(stream());
    }

    /** Anthropic request to OpenAI chat request, then release it (as writing it would). */
    @Benchmark
    public int translateRequest() {
        return released(MessagesRequest.translate(alloc, request, false).body());
    }

    /** One whole stream, framed and translated event by event, closing events included. */
    @Benchmark
    public long translateStream() {
        MessagesStream translator = new MessagesStream(alloc);
        SseEventFramer framer = new SseEventFramer(alloc, 1 << 20, (data, index, length, out) -> {
            ByteBuf events = translator.onChunk(data, index, length);
            if (events.isReadable()) {
                out.emit(events);
            } else {
                events.release();
            }
            return SseEventFramer.Decision.REPLACE;
        });
        return frameReads(framer) + released(framer.finish()) + released(translator.finish());
    }

    /** A whole chat.completion to a message. */
    @Benchmark
    public int translateBody() {
        return released(MessagesResponses.fromChat(alloc, response, 200));
    }

    /** The stream, in the shapes OpenAI's chat completions stream sends with include_usage. */
    static String stream() {
        StringBuilder out = new StringBuilder();
        out.append(HEAD).append("[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        for (String word : TEXT) {
            out.append(HEAD).append("[{\"index\":0,\"delta\":{\"content\":\"").append(word)
                    .append("\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        }
        out.append(HEAD).append("[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":null}\n\n");
        out.append(HEAD).append("[],\"usage\":{\"prompt_tokens\":41,\"completion_tokens\":16,\"total_tokens\":57,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0}}}\n\n");
        out.append("data: [DONE]\n\n");
        return out.toString();
    }
}
