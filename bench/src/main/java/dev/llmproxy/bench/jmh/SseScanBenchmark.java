package dev.llmproxy.bench.jmh;

import dev.llmproxy.codec.openai.StreamChunk;
import dev.llmproxy.codec.openai.StreamChunkInspector;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.sse.SseEventFramer.Decision;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
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
 * Cost of relaying one streamed chat response: frame a 20-event stream that arrives in reads of uneven size (some
 * events split across reads), inspect every event for usage and drop the usage-only one. One op = one stream.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SseScanBenchmark {
    /** Read sizes cycled over the stream: typical socket reads of one event, several, or a fraction of one. */
    private static final int[] READ_SIZES = {230, 700, 120, 460, 1000, 90, 300};

    @Param({"heap", "direct"})
    public String buffer;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private ByteBuf[] reads;
    private long tokens;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] stream = BenchPayloads.chatStream();
        java.util.List<ByteBuf> list = new java.util.ArrayList<>();
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
        for (ByteBuf read : reads) {
            read.release();
        }
    }

    @Benchmark
    public long frameAndInspect() {
        SseEventFramer framer = new SseEventFramer(alloc, 1 << 20, this::onEvent);
        long forwarded = 0;
        for (ByteBuf read : reads) {
            ByteBuf out = framer.frame(read);
            forwarded += out.readableBytes();
            out.release();
        }
        ByteBuf rest = framer.finish();
        forwarded += rest.readableBytes();
        rest.release();
        return forwarded + tokens;
    }

    private Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
        StreamChunk chunk = StreamChunkInspector.inspect(data, index, length);
        if (chunk.usage() != null) {
            tokens += chunk.usage().totalTokens();
            return chunk.usageOnly() ? Decision.DROP : Decision.FORWARD;
        }
        return Decision.FORWARD;
    }
}
