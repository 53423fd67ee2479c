package dev.llmproxy.bench.jmh;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.responses.ResponseIds;
import dev.llmproxy.codec.responses.ResponsesRequests;
import dev.llmproxy.codec.responses.ResponsesStreamTranslator;
import dev.llmproxy.codec.responses.ResponsesUsage;
import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of the Responses bridge per event: one OpenAI chat content chunk (as a chat provider, or a translating
 * adapter, hands it over) rebuilt as one {@code response.output_text.delta} event, on a stream already started (one
 * op = one event); a Responses request translated to chat; and the usage scan a relayed Responses stream pays on every
 * event that is not its last.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResponsesBridgeBenchmark {
    private static final String CHUNK = "{\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":"
            + "\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"claude-sonnet-4-5\",\"choices\":[{"
            + "\"index\":0,\"delta\":{\"content\":\" romantique\"},\"logprobs\":null,\"finish_reason\":null}]}";
    private static final String DELTA_EVENT = "{\"type\":\"response.output_text.delta\",\"sequence_number\":7,"
            + "\"item_id\":\"msg_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654\",\"output_index\":0,"
            + "\"content_index\":0,\"delta\":\" romantique\",\"logprobs\":[]}";
    private static final String REQUEST = "{\"model\":\"claude\",\"instructions\":\"You are a concise Paris guide.\","
            + "\"input\":[{\"role\":\"user\",\"content\":\"Three small museums in Paris, one line each.\"}],"
            + "\"max_output_tokens\":256,\"temperature\":0.3,\"stream\":true}";

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final SseEventFramer.Emitter sink = ByteBuf::release;
    private ByteBuf chunk;
    private ByteBuf deltaEvent;
    private ByteBuf request;
    private ResponsesStreamTranslator translator;

    @Setup(Level.Trial)
    public void setUp() {
        chunk = copy(CHUNK);
        deltaEvent = copy(DELTA_EVENT);
        request = copy(REQUEST);
    }

    /** A fresh stream per iteration, started, so that each op measures one content delta. */
    @Setup(Level.Iteration)
    public void startStream() {
        translator = new ResponsesStreamTranslator(alloc, new ResponseIds("bench"), 1_700_000_000L, () -> null);
        translator.onChunk(chunk, chunk.readerIndex(), chunk.readableBytes(), sink);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        chunk.release();
        deltaEvent.release();
        request.release();
    }

    /** One chat content chunk to one {@code response.output_text.delta} event, released as writing it would. */
    @Benchmark
    public SseEventFramer.Decision bridgeDeltaEvent() {
        return translator.onChunk(chunk, chunk.readerIndex(), chunk.readableBytes(), sink);
    }

    /** A typical SDK Responses request to its chat request. */
    @Benchmark
    public int translateRequest() {
        ByteBuf out = ResponsesRequests.toChat(alloc, request, List.of());
        int length = out.readableBytes();
        out.release();
        return length;
    }

    /** The usage scan of a relayed (not bridged) Responses stream on a delta event. */
    @Benchmark
    public long scanRelayedEvent() {
        Usage usage = ResponsesUsage.of(deltaEvent, deltaEvent.readerIndex(), deltaEvent.readableBytes());
        return usage == null ? -1 : usage.totalTokens();
    }

    private ByteBuf copy(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return alloc.heapBuffer(bytes.length).writeBytes(bytes);
    }
}
