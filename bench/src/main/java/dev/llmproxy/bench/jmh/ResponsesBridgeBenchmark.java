package dev.llmproxy.bench.jmh;

import dev.llmproxy.codec.anthropic.AnthropicStreamTranslator;
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
 * op = one event; a new stream every {@value #STREAM_DELTAS} deltas, so that the text a stream keeps stays the size
 * of an answer's); the same delta from an Anthropic {@code text_delta} event, through the Anthropic translator and
 * the Responses translator chained as the bridge chains them (one op = one provider event); a Responses request
 * translated to chat; and the usage scan a relayed Responses stream pays on every event that is not its last.
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
    private static final String ANTHROPIC_START = "{\"type\":\"message_start\",\"message\":{\"id\":"
            + "\"msg_013Zva2CMHLNnXjNJJKqJ2EF\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
            + "\"model\":\"claude-sonnet-4-5-20250929\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":"
            + "{\"input_tokens\":41,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
            + "\"output_tokens\":1}}}";
    private static final String ANTHROPIC_BLOCK = "{\"type\":\"content_block_start\",\"index\":0,"
            + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}";
    private static final String ANTHROPIC_DELTA = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
            + "{\"type\":\"text_delta\",\"text\":\" romantique\"}}";
    private static final String REQUEST = "{\"model\":\"claude\",\"instructions\":\"You are a concise Paris guide.\","
            + "\"input\":[{\"role\":\"user\",\"content\":\"Three small museums in Paris, one line each.\"}],"
            + "\"max_output_tokens\":256,\"temperature\":0.3,\"stream\":true}";

    private static final int STREAM_DELTAS = 1024;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final SseEventFramer.Emitter sink = ByteBuf::release;
    private final SseEventFramer.Emitter chatEvents = this::bridgeChatEvents;
    private ByteBuf chunk;
    private ByteBuf deltaEvent;
    private ByteBuf request;
    private ByteBuf anthropicDelta;
    private ResponsesStreamTranslator translator;
    private AnthropicStreamTranslator anthropic;
    private ResponsesStreamTranslator bridged;
    private int deltas;
    private int anthropicDeltas;

    @Setup(Level.Trial)
    public void setUp() {
        chunk = copy(CHUNK);
        deltaEvent = copy(DELTA_EVENT);
        request = copy(REQUEST);
        anthropicDelta = copy(ANTHROPIC_DELTA);
    }

    /** Fresh streams, started, so that each op measures one content delta. */
    @Setup(Level.Iteration)
    public void startStreams() {
        startStream();
        startAnthropicStream();
    }

    private void startStream() {
        translator = new ResponsesStreamTranslator(alloc, new ResponseIds("bench"), 1_700_000_000L, () -> null);
        translator.onChunk(chunk, chunk.readerIndex(), chunk.readableBytes(), sink);
        deltas = 0;
    }

    private void startAnthropicStream() {
        anthropic = new AnthropicStreamTranslator(alloc, 1_700_000_000L, false);
        bridged = new ResponsesStreamTranslator(alloc, new ResponseIds("bench"), 1_700_000_000L, anthropic::usage);
        for (String event : new String[] {ANTHROPIC_START, ANTHROPIC_BLOCK}) {
            ByteBuf data = copy(event);
            anthropicEvent(data);
            data.release();
        }
        anthropicDeltas = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        chunk.release();
        deltaEvent.release();
        request.release();
        anthropicDelta.release();
    }

    /** One chat content chunk to one {@code response.output_text.delta} event, released as writing it would. */
    @Benchmark
    public SseEventFramer.Decision bridgeDeltaEvent() {
        if (++deltas == STREAM_DELTAS) {
            startStream();
        }
        return translator.onChunk(chunk, chunk.readerIndex(), chunk.readableBytes(), sink);
    }

    /** One Anthropic text delta to one {@code response.output_text.delta} event, through the chat chunk. */
    @Benchmark
    public SseEventFramer.Decision bridgeAnthropicDelta() {
        if (++anthropicDeltas == STREAM_DELTAS) {
            startAnthropicStream();
        }
        return anthropicEvent(anthropicDelta);
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

    private SseEventFramer.Decision anthropicEvent(ByteBuf data) {
        return anthropic.onEvent(data, data.readerIndex(), data.readableBytes(), chatEvents);
    }

    /** The bridge's hand-over: each emission of whole chat events read by the Responses translator as it comes. */
    private void bridgeChatEvents(ByteBuf events) {
        ByteBuf translated = bridged.translate(events);
        events.release();
        if (translated != null) {
            translated.release();
        }
    }

    private ByteBuf copy(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return alloc.heapBuffer(bytes.length).writeBytes(bytes);
    }
}
