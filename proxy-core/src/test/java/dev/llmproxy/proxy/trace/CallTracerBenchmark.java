package dev.llmproxy.proxy.trace;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.AttemptRecord;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.RouteTable;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * pipeline draining it to a local OTLP receiver), and the exporter thread's part ({@code writeSpans}: the call span
 * and one attempt span built with the SDK; {@code writeAndExport}: a batch of 512 such requests built, encoded,
 * and posted (uncompressed) to the local receiver, per request).
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
    private SdkTracerProvider provider;
    private SpanWriter writer;
    private SpanExporter exporter;
    private final List<SpanData> spans = new ArrayList<>();
    private CallRecord record;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path dir = Files.createTempDirectory("trace-bench");
        Files.writeString(dir.resolve("config.yaml"), """
                model_list:
                  - model_name: gpt-a
                    litellm_params: {model: openai/gpt-4o-mini, api_key: sk-1, api_base: "http://10.0.0.1:8000/v1"}
                    model_info: {id: dep-a}
                """, StandardCharsets.UTF_8);
        RouteTable routes = RouteTable.build(ConfigLoader.load(dir.resolve("config.yaml"), Map.of()));
        receiver = OtlpReceiver.startDiscarding();
        TraceSettings settings = new TraceSettings("bench", Map.of(), List.of(new TraceDestination(TraceBackend.OTEL,
                receiver.tracesUrl(), Map.of(), Callbacks.Outcomes.BOTH)), TraceSettings.DEFAULT_QUEUE_CAPACITY,
                TraceSettings.DEFAULT_MAX_BATCH_RECORDS, Duration.ofMillis(500), Duration.ofSeconds(10), false,
                List.of());
        tracer = CallTracer.start(settings, routes, System::nanoTime, Clock.systemUTC(), LostRecords.NONE);
        provider = SdkTracerProvider.builder().setResource(Resource.getDefault()).addSpanProcessor(new SpanProcessor() {
            @Override
            public void onStart(Context parentContext, ReadWriteSpan span) {}

            @Override
            public boolean isStartRequired() {
                return false;
            }

            @Override
            public void onEnd(ReadableSpan span) {
                spans.add(span.toSpanData());
            }

            @Override
            public boolean isEndRequired() {
                return true;
            }
        }).build();
        writer = new SpanWriter(provider.get("llmproxy"), routes);
        exporter = OtlpHttpSpanExporter.builder().setEndpoint(receiver.tracesUrl().toString())
                .build();
        record = new CallRecord("2f0c8a4e-5d1b-4c7e-9a55-0f1e2d3c4b5a", Endpoint.CHAT_COMPLETIONS, "gpt-a",
                "gpt-a", "dep-a", Principal.MASTER, 200, null, true, Usage.of(120, 48), 1000 * MS, 1150 * MS,
                1400 * MS, 97 * MS, List.of(new AttemptRecord("dep-a", 200, null, 1002 * MS, 1100 * MS, 1400 * MS)),
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tracer.close();
        exporter.shutdown();
        provider.shutdown();
        receiver.close();
    }

    @Benchmark
    public void offer() {
        tracer.onCallEnded(record);
    }

    @Benchmark
    public int writeSpans() {
        writer.write(record, 2000 * MS, 1_767_225_600_000_000_000L);
        int size = spans.size();
        spans.clear();
        return size;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public boolean writeAndExport() {
        for (int i = 0; i < BATCH; i++) {
            writer.write(record, 2000 * MS, 1_767_225_600_000_000_000L);
        }
        boolean success = exporter.export(new ArrayList<>(spans)).join(10, TimeUnit.SECONDS).isSuccess();
        spans.clear();
        return success;
    }
}
