package dev.llmproxy.proxy.call;

import dev.llmproxy.codec.openai.JsonBodyUsageScanner;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.spend.ModelPrice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@code x-litellm-response-cost} adds to a priced non-streamed answer relayed as it is, on the event loop:
 * {@code held} is the new work (the provider's buffers gathered in a composite buffer without a copy, the usage read
 * part by part as they arrive, the cost computed, written as Python writes it and set on the head), {@code relayed}
 * the work it replaces (the usage read part by part as the parts pass). The answer is a chat completion of
 * {@code bodyBytes} arriving in parts of at most 8 KiB, in pooled direct buffers as the socket delivers them.
 *
 * <p>Run after {@code mvn -pl proxy-core -am test-compile} with the test class path:
 * {@code java -cp <test classpath> org.openjdk.jmh.Main ResponseCostBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResponseCostBenchmark {
    private static final int PART_BYTES = 8 * 1024;
    private static final ModelPrice PRICE = new ModelPrice(1.5e-7, 6e-7);

    @Param({"700", "16384", "262144"})
    public int bodyBytes;

    private ByteBuf[] parts;
    private HttpHeaders headers;

    @Setup(Level.Trial)
    public void setUp() {
        String head = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1764633600,\"model\":"
                + "\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"";
        String tail = "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1234,\"completion_tokens\":567,"
                + "\"total_tokens\":1801}}";
        byte[] body = (head + "x".repeat(Math.max(0, bodyBytes - head.length() - tail.length())) + tail)
                .getBytes(StandardCharsets.US_ASCII);
        int count = (body.length + PART_BYTES - 1) / PART_BYTES;
        parts = new ByteBuf[count];
        for (int i = 0; i < count; i++) {
            int from = i * PART_BYTES;
            int length = Math.min(PART_BYTES, body.length - from);
            parts[i] = PooledByteBufAllocator.DEFAULT.directBuffer(length).writeBytes(body, from, length);
        }
        headers = Responses.HEADERS.newHeaders();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (ByteBuf part : parts) {
            part.release();
        }
    }

    @Benchmark
    public Usage relayed() {
        if (parts.length == 1) {
            return JsonBodyUsageScanner.usageOf(parts[0]);
        }
        JsonBodyUsageScanner scanner = new JsonBodyUsageScanner();
        for (ByteBuf part : parts) {
            scanner.feed(part);
        }
        return scanner.usage();
    }

    @Benchmark
    public HttpHeaders held() {
        CompositeByteBuf whole = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer(Integer.MAX_VALUE);
        try {
            Usage usage;
            if (parts.length == 1) {
                usage = JsonBodyUsageScanner.usageOf(parts[0]);
                whole.addComponent(true, parts[0].retain());
            } else {
                JsonBodyUsageScanner scanner = new JsonBodyUsageScanner();
                for (ByteBuf part : parts) {
                    scanner.feed(part);
                    whole.addComponent(true, part.retain());
                }
                usage = scanner.usage();
            }
            double cost = PRICE.cost(usage.promptTokens(), usage.completionTokens());
            return headers.set(Responses.RESPONSE_COST, PythonFloats.repr(cost));
        } finally {
            whole.release();
        }
    }
}
