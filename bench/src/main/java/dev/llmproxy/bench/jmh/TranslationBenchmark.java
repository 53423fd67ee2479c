package dev.llmproxy.bench.jmh;

import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.sse.StreamFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the provider translation benchmarks share: a request, a whole response and a stream, each held in pooled heap
 * or direct buffers (the {@code buffer} parameter, as the upstream connection would hand them over); the stream cut into
 * uneven reads, so that events straddle reads as they do off a socket; and the loops that run a stream through its
 * framer and count what a client would be sent.
 */
@State(Scope.Thread)
public abstract class TranslationBenchmark {
    /** Read sizes cycled over the stream: events split mid-line, several events in one read. */
    private static final int[] READ_SIZES = {230, 700, 120, 460, 1000, 90, 300};
    /** The text the streams deliver, one word per content event. */
    static final String[] WORDS = {"Musée", " de", " la", " Vie", " romantique", ":", " a", " quiet",
        " house", " of", " 19th-century", " painters", ";", " Musée", " Nissim", " de"};

    @Param({"heap", "direct"})
    public String buffer;

    final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    ByteBuf request;
    ByteBuf response;
    private ByteBuf[] reads;

    /** The request the client sends, in the format being translated from. */
    abstract byte[] requestBytes();

    /** A whole response of the provider. */
    abstract byte[] responseBytes();

    /** A whole stream of the provider, as its wire carries it. */
    abstract byte[] streamBytes();

    @Setup(Level.Trial)
    public void setUp() {
        request = copy(requestBytes());
        response = copy(responseBytes());
        byte[] stream = streamBytes();
        List<ByteBuf> list = new ArrayList<>();
        int from = 0;
        for (int i = 0; from < stream.length; i++) {
            int n = Math.min(READ_SIZES[i % READ_SIZES.length], stream.length - from);
            list.add(copy(stream, from, n));
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

    /** Every read through {@code framer}: the bytes the client would be sent, each part released. */
    final long frameReads(StreamFramer framer) {
        long forwarded = 0;
        for (ByteBuf read : reads) {
            forwarded += released(framer.frame(read));
        }
        return forwarded;
    }

    /** The length of {@code out} (0 when null), released as writing it would. */
    static int released(@Nullable ByteBuf out) {
        if (out == null) {
            return 0;
        }
        int length = out.readableBytes();
        out.release();
        return length;
    }

    /** The length of a translated body, released as writing it would. */
    static int released(TranslatedBody translated) {
        return released(translated.body());
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private ByteBuf copy(byte[] bytes) {
        return copy(bytes, 0, bytes.length);
    }

    private ByteBuf copy(byte[] bytes, int from, int length) {
        ByteBuf buf = "direct".equals(buffer) ? alloc.directBuffer(length) : alloc.heapBuffer(length);
        return buf.writeBytes(bytes, from, length);
    }
}
