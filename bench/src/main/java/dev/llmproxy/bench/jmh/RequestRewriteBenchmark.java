package dev.llmproxy.bench.jmh;

import dev.llmproxy.codec.json.JsonStrings;
import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.json.RequestRewriter;
import dev.llmproxy.codec.json.RequestScanner;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.async.ByteBufferFeeder;
import tools.jackson.core.json.JsonFactory;

/**
 * Cost of the same-format passthrough request path: scan a ~600-byte chat request and build the forwarded body
 * (model replaced, {@code stream_options} injected). {@code jacksonScan} does the scan's work with Jackson's
 * non-blocking parser, to justify the hand-written scanner.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestRewriteBenchmark {
    private static final JsonFactory JACKSON = new JsonFactory();

    @Param({"heap", "direct"})
    public String buffer;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final byte[] modelJson = JsonStrings.quote("openai/gpt-4o-mini-2024-07-18");
    private ByteBuf body;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] bytes = BenchPayloads.CHAT_REQUEST.getBytes(StandardCharsets.UTF_8);
        body = "direct".equals(buffer) ? alloc.directBuffer(bytes.length) : alloc.heapBuffer(bytes.length);
        body.writeBytes(bytes);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        body.release();
    }

    /** Scan only. */
    @Benchmark
    public RequestInfo scan() {
        return RequestScanner.scan(body);
    }

    /** Scan and rewrite, then release the forwarded body (as writing it would). */
    @Benchmark
    public int scanAndRewrite() {
        RequestInfo info = RequestScanner.scan(body);
        ByteBuf out = RequestRewriter.rewrite(alloc, body, info, modelJson, true);
        int length = out.readableBytes();
        out.release();
        return length;
    }

    /**
     * The scan's work (validate everything, find model and stream) done by Jackson's non-blocking parser. Returns the
     * model of a streaming request, {@code ""} for a non-streaming one, and {@code null} for a streaming one without
     * a model.
     */
    @Benchmark
    public @Nullable String jacksonScan() {
        ByteBuffer nio = body.nioBuffer(body.readerIndex(), body.readableBytes());
        try (JsonParser parser = JACKSON.createNonBlockingByteBufferParser(ObjectReadContext.empty())) {
            ByteBufferFeeder feeder = (ByteBufferFeeder) parser.nonBlockingInputFeeder();
            feeder.feedInput(nio);
            feeder.endOfInput();
            String model = null;
            boolean stream = false;
            int depth = 0;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token.isStructStart()) {
                    depth++;
                } else if (token.isStructEnd()) {
                    depth--;
                } else if (depth == 1 && token == JsonToken.PROPERTY_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (value.isStructStart()) {
                        depth++;
                    } else if ("model".equals(name) && value == JsonToken.VALUE_STRING) {
                        model = parser.getString();
                    } else if ("stream".equals(name)) {
                        stream = value == JsonToken.VALUE_TRUE;
                    }
                }
            }
            return stream ? model : "";
        }
    }
}
