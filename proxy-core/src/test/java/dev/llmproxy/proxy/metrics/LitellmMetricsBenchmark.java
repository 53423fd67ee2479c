package dev.llmproxy.proxy.metrics;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.FixedKeyGrant;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.AttemptRecord;
import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.provider.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What metrics cost: recording one request's record on the event loop (a non-streamed success with usage, a streamed
 * success, a provider error), and writing the scrape of a proxy with {@code deployments} deployments whose series
 * have all been seen (two callers, a success and two kinds of failure per deployment) and {@code keys} virtual keys
 * that have called, plain and gzip-compressed.
 *
 * <p>Lives in proxy-core's tests because bench cannot depend on proxy-core. Run after {@code mvn -pl proxy-core -am
 * test-compile} with the test class path:
 * {@code java -cp <test classpath> org.openjdk.jmh.Main LitellmMetricsBenchmark -prof gc}.
 *
 * <p>{@link #main} builds the shape of 100 deployments and 1,000 keys that have called and reports the scrape's size
 * by family, with the lines LiteLLM's Python client would add for the same series ({@code _created}), and its time:
 * {@code java -cp <test classpath> dev.llmproxy.proxy.metrics.LitellmMetricsBenchmark [deployments] [keys]
 * [label,label...]}, the labels (if given) dropped from every family as {@code prometheus_exclude_labels} would.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LitellmMetricsBenchmark {
    private static final long MS = 1_000_000L;

    @Param({"100"})
    public int deployments;

    /**
     * Virtual keys that have called, each once with a success, once streamed and once failed with a 429, on one
     * deployment (the keys spread over all of them): the series of a proxy with that many active keys.
     */
    @Param({"0", "1000"})
    public int keys;

    /** The settings {@link #setUp} builds the metrics with. */
    private MetricsSettings settings = MetricsSettings.DEFAULTS;
    private LitellmMetrics metrics;
    private CallListener listener;
    private CallRecord success;
    private CallRecord streamed;
    private CallRecord failure;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path dir = Files.createTempDirectory("metrics-bench");
        StringBuilder yaml = new StringBuilder("model_list:\n");
        for (int i = 0; i < deployments; i++) {
            yaml.append("  - model_name: group-").append(i / 4).append('\n')
                    .append("    litellm_params: {model: openai/gpt-4o-mini, api_key: sk-1, rpm: 60, api_base: ")
                    .append("\"http://10.0.0.").append(i % 250).append(":8000/v1\"}\n")
                    .append("    model_info: {id: dep-").append(i).append("}\n");
        }
        metrics = new LitellmMetrics(MetricsTestSupport.routes(dir, yaml.toString()), settings);
        listener = metrics.listener();
        for (int i = 0; i < deployments; i++) {
            String id = "dep-" + i;
            String group = "group-" + (i / 4);
            for (Principal caller : new Principal[] {Principal.MASTER, Principal.ANONYMOUS}) {
                listener.onCallEnded(record(group, id, caller, 200, null, false));
                listener.onCallEnded(record(group, id, caller, 200, null, true));
                listener.onCallEnded(record(group, id, caller, 429, null, false));
                listener.onCallEnded(record(group, id, caller, 408, ProxyError.UPSTREAM_TIMEOUT, false));
            }
        }
        for (int k = 0; k < keys; k++) {
            int i = k % deployments;
            String id = "dep-" + i;
            String group = "group-" + (i / 4);
            Principal caller = Principal.of(new FixedKeyGrant(String.format("%064x", k), "key-" + k, null,
                    "team-" + k % 10, 0));
            listener.onCallEnded(record(group, id, caller, 200, null, false));
            listener.onCallEnded(record(group, id, caller, 200, null, true));
            listener.onCallEnded(record(group, id, caller, 429, null, false));
        }
        success = record("group-0", "dep-0", Principal.MASTER, 200, null, false);
        streamed = record("group-0", "dep-0", Principal.MASTER, 200, null, true);
        failure = record("group-0", "dep-0", Principal.MASTER, 429, null, false);
        Files.deleteIfExists(dir.resolve("config.yaml"));
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public void recordSuccess() {
        listener.onCallEnded(success);
    }

    @Benchmark
    public void recordStreamedSuccess() {
        listener.onCallEnded(streamed);
    }

    @Benchmark
    public void recordProviderError() {
        listener.onCallEnded(failure);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int scrape() {
        ByteBuf body = metrics.scrape(PooledByteBufAllocator.DEFAULT, ExpositionFormat.PROMETHEUS_TEXT, false);
        int bytes = body.readableBytes();
        body.release();
        return bytes;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int scrapeGzip() {
        ByteBuf body = metrics.scrape(PooledByteBufAllocator.DEFAULT, ExpositionFormat.PROMETHEUS_TEXT, true);
        int bytes = body.readableBytes();
        body.release();
        return bytes;
    }

    /** Prints the scrape's size by family and the time of a few scrapes. */
    public static void main(String[] args) throws IOException {
        LitellmMetricsBenchmark shape = new LitellmMetricsBenchmark();
        shape.deployments = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        shape.keys = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        if (args.length > 2) {
            shape.settings = new MetricsSettings(false, MetricsSettings.LATENCY_BUCKETS,
                    new MetricFilter(null, Set.of(), Set.of(args[2].split(","))));
        }
        shape.setUp();
        String text = MetricsTestSupport.scrapeText(shape.metrics, ExpositionFormat.PROMETHEUS_TEXT);
        Map<String, long[]> families = new TreeMap<>();
        long[] current = null;
        boolean counterOrHistogram = false;
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                current = families.computeIfAbsent(parts[2], name -> new long[4]);
                counterOrHistogram = !parts[3].equals("gauge");
            } else if (!line.startsWith("#") && current != null) {
                current[0]++;
                current[1] += line.length() + 1;
                String name = line.substring(0, Math.max(line.indexOf('{'), 0));
                boolean seriesLine = !name.endsWith("_bucket") && !name.endsWith("_sum");
                if (seriesLine) {
                    current[2]++;
                    if (counterOrHistogram) {
                        // Python's client adds "<family>_created{same labels} <epoch seconds>" to each such series.
                        current[3] += line.length() + 1 + "_created".length() - name.length()
                                + baseName(name).length() + 10;
                    }
                }
            }
        }
        System.out.printf("%-60s %9s %9s %12s %12s%n", "family", "series", "lines", "bytes", "+_created");
        long lines = 0;
        long created = 0;
        for (Map.Entry<String, long[]> family : families.entrySet()) {
            long[] f = family.getValue();
            System.out.printf("%-60s %9d %9d %12d %12d%n", family.getKey(), f[2], f[0], f[1], f[3]);
            lines += f[0];
            created += f[3];
        }
        System.out.printf("total: %d bytes, %d lines; LiteLLM's _created lines for the same series: %d bytes more%n",
                text.length(), lines, created);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            long cpu = threads.getCurrentThreadCpuTime();
            int bytes = shape.scrape();
            long plain = System.nanoTime() - start;
            long plainCpu = threads.getCurrentThreadCpuTime() - cpu;
            start = System.nanoTime();
            cpu = threads.getCurrentThreadCpuTime();
            int gzipped = shape.scrapeGzip();
            System.out.printf("scrape %d: %d bytes in %d ms (%d ms CPU); gzip %d bytes in %d ms (%d ms CPU)%n",
                    i + 1, bytes, plain / 1_000_000, plainCpu / 1_000_000, gzipped,
                    (System.nanoTime() - start) / 1_000_000, (threads.getCurrentThreadCpuTime() - cpu) / 1_000_000);
        }
    }

    /** A sample's family name without the suffix the exposition gave it. */
    private static String baseName(String sample) {
        for (String suffix : new String[] {"_count", "_total"}) {
            if (sample.endsWith(suffix)) {
                return sample.substring(0, sample.length() - suffix.length());
            }
        }
        return sample;
    }

    private static CallRecord record(String group, String id, Principal caller, int status, ProxyError error,
            boolean stream) {
        AttemptRecord attempt = new AttemptRecord(id, status, error, 1002 * MS, 1100 * MS, 1400 * MS);
        return new CallRecord("call", Endpoint.CHAT_COMPLETIONS, group, group, id, caller, status, error, stream,
                status == 200 ? Usage.of(600, 150) : null, 1000 * MS, 1150 * MS, 1400 * MS, 97 * MS,
                List.of(attempt));
    }
}
