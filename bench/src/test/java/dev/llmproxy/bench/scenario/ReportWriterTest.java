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
                "## b) Latency", "## c) Streaming", "## Memory", "| cores | 2 |", "150.0 MiB", "*unbuffered*");
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
                "p99.9", "streaming", "firstChunkAddedMs", "unbufferedShare", "proxyPeakRssBytes", "targets");
        assertThat(json).contains("\"proxyCpuSeconds\":null", "\"proxyPeakRssBytes\":157286400");
    }

    private static BenchReport report() {
        ScenarioResults results = new ScenarioResults(
                List.of(new ThroughputPoint(32, TargetsTest.closed(50_000), TargetsTest.closed(40_000), null)),
                List.of(new LatencyPoint(2_000, TargetsTest.open(200), TargetsTest.open(250))),
                List.of(new StreamingPoint(300, TargetsTest.stream(10, 20_100, 22_000),
                        TargetsTest.stream(10, 20_300, 23_500))));
        long rss = 150L << 20;
        return new BenchReport("2026-01-01T00:00:00Z", Map.of("cores", "2"), Map.of("mode", "quick"), results, rss,
                Targets.evaluate(results, rss));
    }
}
