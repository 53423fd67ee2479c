package dev.llmproxy.proxy.trace;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.AttemptRecord;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.RouteTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What traces cost per request: the event loop's part ({@code offer}: the record into the bounded queue, with the real
 * pipeline draining it to a local OTLP receiver), and the exporter thread's part, per record: {@code encode} (a batch
 * of 512 records, each a call span and one attempt span, encoded into the reused protobuf buffer) and
 * {@code encodeAndExport} (the same batch also posted, uncompressed, to the local receiver).
 *
 * <p>Run like {@code LitellmMetricsBenchmark}:
 * {@code java -cp <test classpath> org.openjdk.jmh.Main CallTracerBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CallTracerBenchmark {
    private static final long MS = 1_000_000L;
    private static final int BATCH = 512;

    private OtlpReceiver receiver;
    private CallTracer tracer;
    private OtlpTraceEncoder encoder;
    private OtlpHttpSender sender;
    private List<CallRecord> batch;
    private CallRecord record;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        RouteTable routes = routes();
        receiver = OtlpReceiver.startDiscarding();
        TraceSettings settings = settings(receiver);
        tracer = CallTracer.start(settings, routes, System::nanoTime, Clock.systemUTC(), LostRecords.NONE);
        encoder = new OtlpTraceEncoder(Map.of("service.name", "bench"), routes, new SplittableRandom(7));
        sender = new OtlpHttpSender(settings.destinations().get(0), Duration.ofSeconds(10), false);
        record = record();
        batch = Collections.nCopies(BATCH, record);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tracer.close();
        receiver.close();
    }

    @Benchmark
    public void offer() {
        tracer.onCallEnded(record);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int encode() {
        return encoder.encode(batch, 2000 * MS, 1_767_225_600_000_000_000L);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public boolean encodeAndExport() throws InterruptedException {
        encoder.encode(batch, 2000 * MS, 1_767_225_600_000_000_000L);
        return sender.send(encoder.array(), encoder.size());
    }

    static RouteTable routes() throws IOException {
        Path dir = Files.createTempDirectory("trace-bench");
        Files.writeString(dir.resolve("config.yaml"), """
                model_list:
                  - model_name: gpt-a
                    litellm_params: {model: openai/gpt-4o-mini, api_key: sk-1, api_base: "http://10.0.0.1:8000/v1"}
                    model_info: {id: dep-a}
                """, StandardCharsets.UTF_8);
        return RouteTable.build(ConfigLoader.load(dir.resolve("config.yaml"), Map.of()));
    }

    static TraceSettings settings(OtlpReceiver receiver) {
        return new TraceSettings("bench", Map.of(), List.of(new TraceDestination(TraceBackend.OTEL,
                receiver.tracesUrl(), Map.of(), Callbacks.Outcomes.BOTH)), TraceSettings.DEFAULT_QUEUE_CAPACITY,
                TraceSettings.DEFAULT_MAX_BATCH_RECORDS, Duration.ofMillis(500), Duration.ofSeconds(10), false,
                List.of());
    }

    /** A streamed chat by the master key, continuing the client's trace, answered by the first attempt. */
    static CallRecord record() {
        return new CallRecord("2f0c8a4e-5d1b-4c7e-9a55-0f1e2d3c4b5a", Endpoint.CHAT_COMPLETIONS, "gpt-a",
                "gpt-a", "dep-a", Principal.MASTER, 200, null, true, Usage.of(120, 48), 1000 * MS, 1150 * MS,
                1400 * MS, 97 * MS, List.of(new AttemptRecord("dep-a", 200, null, 1002 * MS, 1100 * MS, 1400 * MS)),
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    }
}
