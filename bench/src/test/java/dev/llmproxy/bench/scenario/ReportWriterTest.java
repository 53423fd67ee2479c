package dev.llmproxy.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

class ReportWriterTest {

    private final BenchReport report = report();

    @Test
    void shouldRenderEverySectionWhenAllScenariosRan() {
        String markdown = ReportWriter.markdown(report);

        assertThat(markdown).contains("## Targets", "## Machine", "## Setup", "## a) Throughput",
                "## b) Latency", "## c) Streaming", "## Memory", "| cores | 2 |", "150.0 MiB", "*unbuffered*",
                "| target | goal | measured | nginx | result |", "nginx worker: 4.0 MiB");
        assertThat(markdown).contains("|  | nginx | 0.330 | 0.330 | 0.330 | 0.330 | 0.330 | 4.000 | 1000 / 1000 | 0 | 0 |",
                "|  | llmproxy | 0.250 | 0.250 | 0.250 | 0.250 | 0.250 | 5.000 | 1000 / 1000 | 0 | 0 |",
                "|  | **llmproxy − nginx** | -0.080 | -0.080 | -0.080 | -0.080 |  | 1.000 |",
                "|  | **llmproxy added** | 0.050 | 0.050 | 0.050 | 0.050 |  |  |  |  |",
                "|  | **nginx added** | 0.130 |", "|  | **llmproxy − nginx** | -0.080 |");
    }

    @Test
    void shouldShowMedianAndRangeWhenPointWasRepeated() {
        Repeats<LatencyRun> direct = new Repeats<>(List.of(TargetsTest.open(200), TargetsTest.open(210),
                TargetsTest.open(190)));
        Repeats<LatencyRun> proxy = new Repeats<>(List.of(TargetsTest.open(300), TargetsTest.open(250),
                TargetsTest.open(400)));
        ScenarioResults results = new ScenarioResults(List.of(),
                List.of(new LatencyPoint(2_000, direct, proxy, null)), List.of());
        BenchReport repeated = new BenchReport("2026-01-01T00:00:00Z", Map.of(), Map.of(), results, "llmproxy",
                null, null, Targets.evaluate(results, null, null));

        String markdown = ReportWriter.markdown(repeated);

        assertThat(markdown).contains("Every point ran 3 times per target",
                "| 2000 req/s | direct | 0.200 [0.190–0.210] |", "|  | llmproxy | 0.300 [0.250–0.400] |",
                "|  | **added** | 0.100 [0.040–0.210] |");
    }

    @Test
    void shouldRenderFeaturesWithTheirRatiosCountersAndStreams() {
        FeaturePoint single = TargetsTest.requests("single", null, null, false, TargetsTest.open(200, 0.10));
        FeaturePoint keys = new FeaturePoint(new Feature("virtual-key", "one key", Feature.Kind.REQUESTS,
                TargetsTest.TEMPLATE, null, "single", null, 1.10, false, null), Repeats.of(TargetsTest.open(200,
                0.105)), null, List.of(Map.of("database commits", 2.0)));
        FeaturePoint stream = TargetsTest.streams("stream", null, null, TargetsTest.stream(300, 20_300, 21_000));
        ScenarioResults results = new ScenarioResults(List.of(), List.of(), List.of(), List.of(single, keys, stream));
        BenchReport withFeatures = new BenchReport("2026-01-01T00:00:00Z", Map.of(), Map.of(), results, "llmproxy",
                null, null, Targets.evaluate(results, null, null));

        String markdown = ReportWriter.markdown(withFeatures);
        String json = ReportWriter.json(withFeatures);

        assertThat(markdown).contains("## e) Features",
                "| virtual-key | one key | single | 1.050 | 1.050× | 0.200 |",
                "Counters during virtual-key (per second of its runs, median [range]): database commits 2.0.",
                "| stream | stream | — | 20.303 |");
        assertThat(json).contains("\"name\":\"virtual-key\"", "\"cpuRatioToBaseline\":{\"median\":1.05",
                "\"perSecond:database commits\"");
    }

    @Test
    void shouldPrintMedianOnlyWhenOneRepeatMeasured() {
        assertThat(ReportWriter.cell(Spread.of(new double[] {0.5}), "%.3f")).isEqualTo("0.500");
        assertThat(ReportWriter.cell(Spread.of(new double[] {1, 4, 2, Double.NaN}), "%.1f")).isEqualTo("2.0 [1.0–4.0]");
        assertThat(ReportWriter.cell(Spread.of(new double[] {Double.NaN}), "%.1f")).isEqualTo("n/a");
    }

    @Test
    void shouldWriteWellFormedJsonWhenSomeValuesAreMissing() {
        String json = ReportWriter.json(report);

        List<String> names = new ArrayList<>();
        try (JsonParser parser = new JsonFactory().createParser(ObjectReadContext.empty(), json)) {
            for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
                if (t == JsonToken.PROPERTY_NAME) {
                    names.add(parser.currentName());
                }
            }
        }
        assertThat(names).contains("machine", "setup", "throughput", "proxyCpuSecondsPer10k", "latency", "addedMs",
                "nginxAddedMs", "proxyMinusNginxMs", "p99.9", "streaming", "firstChunkAddedMs", "unbufferedShare",
                "proxyPeakRssBytes", "nginxPeakRssBytes", "targets", "cpuSecondsPer10k");
        assertThat(json).contains("\"cpuSeconds\":null", "\"proxyPeakRssBytes\":157286400", "\"repeat\":1");
    }

    private static BenchReport report() {
        ScenarioResults results = new ScenarioResults(
                List.of(new ThroughputPoint(32, TargetsTest.run(TargetsTest.closed(50_000), null),
                        TargetsTest.run(TargetsTest.closed(40_000), null),
                        TargetsTest.run(TargetsTest.closed(45_000), 0.5))),
                List.of(new LatencyPoint(2_000, Repeats.of(TargetsTest.open(200)),
                        Repeats.of(TargetsTest.open(250, 0.5)), Repeats.of(TargetsTest.open(330, 0.4)))),
                List.of(new StreamingPoint(300, Repeats.of(TargetsTest.stream(10, 20_100, 22_000)),
                        Repeats.of(TargetsTest.stream(10, 20_300, 23_500)), null)));
        long rss = 150L << 20;
        return new BenchReport("2026-01-01T00:00:00Z", Map.of("cores", "2"), Map.of("mode", "quick"), results,
                "llmproxy", rss, 4L << 20, Targets.evaluate(results, rss, 4L << 20));
    }
}
