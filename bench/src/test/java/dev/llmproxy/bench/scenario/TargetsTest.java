package dev.llmproxy.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.load.ChunkDelays;
import dev.llmproxy.bench.load.ClosedLoopResult;
import dev.llmproxy.bench.load.OpenLoopResult;
import dev.llmproxy.bench.load.RequestTemplate;
import dev.llmproxy.bench.load.StreamResult;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class TargetsTest {

    static final RequestTemplate TEMPLATE = RequestTemplate.postJson(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 4000), "/v1/chat/completions", "{}");

    @Test
    void shouldPassEveryTargetWhenProxyAddsLittle() {
        ScenarioResults results = new ScenarioResults(
                List.of(new ThroughputPoint(32, run(closed(50_000), null), run(closed(40_000), 0.8),
                        run(closed(45_000), 0.6))),
                List.of(new LatencyPoint(2_000, Repeats.of(open(200)), Repeats.of(open(250)),
                        Repeats.of(open(330)))),
                List.of(new StreamingPoint(300, Repeats.of(stream(100, 1_100, 22_000)),
                        Repeats.of(stream(100, 1_300, 23_500)), Repeats.of(stream(100, 1_400, 23_000)))));

        Map<String, TargetCheck> checks = byName(Targets.evaluate(results, 150L << 20, 5L << 20));

        assertThat(checks.get("proxy CPU-s per 10k requests, 32 connections").measured()).isEqualTo("0.020");
        assertThat(checks.get("added latency p50 at 2,000 req/s").measured()).isEqualTo("0.050 ms");
        assertThat(checks.get("first chunk added p50, 300 streams").measured()).isEqualTo("0.200 ms");
        assertThat(checks.get("proxy CPU-s per 10k requests, 32 connections").nginx()).isEqualTo("0.013");
        assertThat(checks.get("added latency p50 at 2,000 req/s").nginx()).isEqualTo("0.130 ms");
        assertThat(checks.get("first chunk added p50, 300 streams").nginx()).isEqualTo("0.300 ms");
        assertThat(checks.get("proxy peak RSS (VmHWM)").nginx()).isEqualTo("5.0 MiB (worker)");
        assertThat(checks.get("proxy errors + unanswered requests, all scenarios").nginx()).isEqualTo("0");
        assertThat(checks.values()).extracting(TargetCheck::verdict).containsOnly("PASS");
    }

    @Test
    void shouldFailTargetsWhenProxyIsSlowBufferedOrLarge() {
        StreamResult buffered = new StreamResult(300, 100, 90, 90, 0, 0, 0, 20, micros(21_500, 100),
                micros(30_000, 100), delays(100, 0.0));
        ScenarioResults results = new ScenarioResults(
                List.of(new ThroughputPoint(128, run(closed(50_000), null), run(closed(10_000), 5.0), null)),
                List.of(new LatencyPoint(2_000, Repeats.of(open(200)), Repeats.of(open(600)), null)),
                List.of(new StreamingPoint(300, Repeats.of(stream(100, 20_100, 22_000)), Repeats.of(buffered),
                        null)));

        Map<String, TargetCheck> checks = byName(Targets.evaluate(results, 300L << 20, null));

        assertThat(checks.get("proxy CPU-s per 10k requests, 128 connections").verdict()).isEqualTo("FAIL");
        assertThat(checks.get("added latency p50 at 2,000 req/s").verdict()).isEqualTo("FAIL");
        assertThat(checks.get("added latency p99 at 2,000 req/s").verdict()).isEqualTo("FAIL");
        assertThat(checks.get("first chunk added p50, 300 streams").verdict()).isEqualTo("FAIL");
        assertThat(checks.get("streams delivered unbuffered, 300 streams").verdict()).isEqualTo("FAIL");
        assertThat(checks.get("largest inter-chunk gap, 300 streams").verdict()).isEqualTo("FAIL");
        assertThat(checks.get("proxy peak RSS (VmHWM)").verdict()).isEqualTo("FAIL");
        assertThat(checks.values()).extracting(TargetCheck::nginx).containsOnly("n/a");
    }

    @Test
    void shouldJudgeMedianWhenPointWasRepeated() {
        Repeats<LatencyRun> direct = new Repeats<>(List.of(open(200), open(200), open(200)));
        Repeats<LatencyRun> proxy = new Repeats<>(List.of(open(240), open(5_000), open(260)));
        ScenarioResults results = new ScenarioResults(List.of(),
                List.of(new LatencyPoint(2_000, direct, proxy, null)), List.of());

        Map<String, TargetCheck> checks = byName(Targets.evaluate(results, null, null));

        assertThat(checks.get("added latency p50 at 2,000 req/s").measured()).isEqualTo("0.060 ms");
        assertThat(checks.get("added latency p50 at 2,000 req/s").verdict()).isEqualTo("PASS");
    }

    @Test
    void shouldReportNotApplicableWhenProxyProcessIsUnknown() {
        ScenarioResults results = new ScenarioResults(
                List.of(new ThroughputPoint(32, run(closed(50_000), null), run(closed(40_000), null), null)),
                List.of(), List.of());

        Map<String, TargetCheck> checks = byName(Targets.evaluate(results, null, null));

        assertThat(checks.get("proxy CPU-s per 10k requests, 32 connections").verdict()).isEqualTo("n/a");
        assertThat(checks.get("proxy peak RSS (VmHWM)").verdict()).isEqualTo("n/a");
        assertThat(checks.get("proxy errors + unanswered requests, all scenarios").verdict()).isEqualTo("PASS");
    }

    @Test
    void shouldFailUnbufferedStreamsWhenTheRunWasMostlyStalled() {
        // A path that held every stream's chunks would make every bin look stalled and excuse every late chunk.
        ScenarioResults results = new ScenarioResults(List.of(), List.of(),
                List.of(new StreamingPoint(300, Repeats.of(stream(100, 20_100, 22_000)),
                        Repeats.of(stream(100, 20_300, 22_000, 0.40)), null)));

        TargetCheck check = byName(Targets.evaluate(results, null, null)).get("streams delivered unbuffered, 300 streams");

        assertThat(check.measured()).isEqualTo("100.00 %, stalled 40.00 % (direct 100.00 %, stalled 0.00 %)");
        assertThat(check.verdict()).isEqualTo("FAIL");
    }

    @Test
    void shouldJudgeFeaturesAgainstTheirBaselines() {
        FeaturePoint single = requests("single", null, null, false, open(200, 0.10));
        FeaturePoint group4 = requests("group4", "single", 1.05, false, open(200, 0.104));
        FeaturePoint tracing = requests("tracing", "single", 1.05, false, open(200, 0.12));
        FeaturePoint limited = requests("limited", "single", null, true, new LatencyRun(new OpenLoopResult(2_000, 64,
                1_000, 100, 900, 900, 0, 0, micros(200, 100), micros(200, 100)), 0.05));
        FeaturePoint directOpenAi = streams("direct-openai", null, null, stream(300, 1_000, 21_000));
        FeaturePoint directAnthropic = streams("direct-anthropic", null, null, stream(300, 400, 21_000));
        FeaturePoint passThrough = streams("stream", null, "direct-openai", stream(300, 1_300, 21_000));
        FeaturePoint translated = streams("stream-anthropic", "stream", "direct-anthropic", stream(300, 1_300, 21_000));
        ScenarioResults results = new ScenarioResults(List.of(), List.of(), List.of(), List.of(single, group4,
                tracing, limited, directOpenAi, directAnthropic, passThrough, translated));

        Map<String, TargetCheck> checks = byName(Targets.evaluate(results, null, null));

        assertThat(checks.get("feature group4: CPU per request over single").verdict()).isEqualTo("PASS");
        assertThat(checks.get("feature group4: CPU per request over single").measured()).isEqualTo("1.040×");
        assertThat(checks.get("feature tracing: CPU per request over single").verdict()).isEqualTo("FAIL");
        assertThat(checks.get("feature limited: only 429s when limits bite").verdict()).isEqualTo("PASS");
        assertThat(checks.get("feature stream-anthropic: streams unbuffered").verdict()).isEqualTo("PASS");
        // The translated stream adds 0.9 ms over its upstream's first event, the pass-through 0.3 ms over its own.
        assertThat(checks.get("feature stream-anthropic: first chunk p50 added over stream's").measured())
                .isEqualTo("0.600 ms");
        assertThat(checks.get("feature stream-anthropic: first chunk p50 added over stream's").verdict())
                .isEqualTo("FAIL");
        assertThat(checks.get("proxy errors + unanswered requests, all scenarios").verdict()).isEqualTo("PASS");
    }

    @Test
    void shouldCountA429AsAFailureUnlessTheFeatureExpectsIt() {
        FeaturePoint single = requests("single", null, null, false, new LatencyRun(new OpenLoopResult(2_000, 64,
                1_000, 999, 1, 1, 0, 0, micros(200, 999), micros(200, 999)), 0.1));
        ScenarioResults results = new ScenarioResults(List.of(), List.of(), List.of(), List.of(single));

        Map<String, TargetCheck> checks = byName(Targets.evaluate(results, null, null));

        assertThat(checks.get("proxy errors + unanswered requests, all scenarios").measured()).isEqualTo("1");
    }

    static FeaturePoint requests(String name, @Nullable String baseline, @Nullable Double ratio,
            boolean limited, LatencyRun run) {
        Feature feature = new Feature(name, name, Feature.Kind.REQUESTS, TEMPLATE, null, baseline, null, ratio,
                limited, null);
        return new FeaturePoint(feature, Repeats.of(run), null, List.of());
    }

    static FeaturePoint streams(String name, @Nullable String baseline, @Nullable String direct,
            StreamResult run) {
        Feature feature = new Feature(name, name, Feature.Kind.STREAMS, TEMPLATE, null, baseline, direct, null, false,
                null);
        return new FeaturePoint(feature, null, Repeats.of(run), List.of());
    }

    static Repeats<ThroughputRun> run(ClosedLoopResult result, Double cpuSeconds) {
        return Repeats.of(new ThroughputRun(result, cpuSeconds));
    }

    static ClosedLoopResult closed(long completedPerSecond) {
        return new ClosedLoopResult(32, completedPerSecond * 10, 0, Duration.ofSeconds(10), micros(300, 1));
    }

    static LatencyRun open(long latencyMicros) {
        return open(latencyMicros, null);
    }

    static LatencyRun open(long latencyMicros, @Nullable Double cpuSeconds) {
        return new LatencyRun(new OpenLoopResult(2_000, 64, 1_000, 1_000, 0, 0, 0, 0, micros(latencyMicros, 1_000),
                micros(latencyMicros, 1_000)), cpuSeconds);
    }

    static StreamResult stream(long count, long firstEventMicros, long gapMicros) {
        return stream(count, firstEventMicros, gapMicros, 0.0);
    }

    static StreamResult stream(long count, long firstEventMicros, long gapMicros, double stalledShare) {
        return new StreamResult(300, count, count, count, 0, 0, 0, 1, micros(firstEventMicros, count),
                micros(gapMicros, count), delays(count, stalledShare));
    }

    /** Judged chunks of {@code streams} complete streams over 10 s, none held, stalled for {@code stalledShare}. */
    static ChunkDelays delays(long streams, double stalledShare) {
        long span = 10_000_000_000L;
        return new ChunkDelays(streams, streams, 0, streams * 20, 0, 0, stalledShare > 0 ? 1 : 0,
                (long) (span * stalledShare), (long) (span * stalledShare), span, micros(300, streams * 20),
                ChunkDelays.HeldAt.NONE);
    }

    static Histogram micros(long value, long count) {
        Histogram histogram = new Histogram(600_000_000L, 3);
        histogram.recordValueWithCount(value, count);
        return histogram;
    }

    private static Map<String, TargetCheck> byName(List<TargetCheck> checks) {
        return checks.stream().collect(Collectors.toMap(TargetCheck::name, Function.identity()));
    }
}
