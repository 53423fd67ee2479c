package dev.llmproxy.bench.scenario;

import dev.llmproxy.bench.load.ClosedLoopResult;
import dev.llmproxy.bench.load.OpenLoopResult;
import dev.llmproxy.bench.load.StreamResult;
import java.io.StringWriter;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/** Renders a {@link BenchReport} as Markdown and as JSON. Thread-safety: stateless. */
public final class ReportWriter {

    private static final JsonFactory JSON = new JsonFactory();

    private ReportWriter() {
    }

    /** The report as a Markdown document. */
    public static String markdown(BenchReport report) {
        StringBuilder md = new StringBuilder(4096);
        md.append("# llmproxy benchmark\n\nStarted ").append(report.startedAt()).append(".\n\n");
        md.append("## Targets\n\n| target | goal | measured | result |\n|---|---|---|---|\n");
        report.checks().forEach(c -> md.append("| ").append(c.name()).append(" | ").append(c.target()).append(" | ")
                .append(c.measured()).append(" | ").append(c.verdict()).append(" |\n"));
        keyValues(md, "Machine", report.machine());
        keyValues(md, "Setup", report.setup());
        ScenarioResults results = report.results();
        if (!results.throughput().isEmpty()) {
            throughput(md, results);
        }
        if (!results.latency().isEmpty()) {
            latency(md, results);
        }
        if (!results.streaming().isEmpty()) {
            streaming(md, results);
        }
        md.append("\n## Memory\n\nProxy peak RSS (VmHWM over the whole run): ")
                .append(report.proxyPeakRssBytes() == null ? "n/a (proxy pid unknown)"
                        : f("%.1f MiB", report.proxyPeakRssBytes() / 1048576.0)).append("\n");
        return md.toString();
    }

    /** The report as a JSON document; percentiles in milliseconds, NaN (nothing recorded) as null. */
    public static String json(BenchReport report) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            g.writeStartObject();
            g.writeName("startedAt");
            g.writeString(report.startedAt());
            stringMap(g, "machine", report.machine());
            stringMap(g, "setup", report.setup());
            g.writeName("throughput");
            g.writeStartArray();
            for (ThroughputPoint p : report.results().throughput()) {
                g.writeStartObject();
                number(g, "connections", p.connections());
                closedLoop(g, "direct", p.direct());
                closedLoop(g, "proxy", p.proxy());
                nullableNumber(g, "proxyCpuSeconds", p.proxyCpuSeconds());
                nullableNumber(g, "proxyCpuSecondsPer10k", p.proxyCpuSecondsPer10k());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeName("latency");
            g.writeStartArray();
            for (LatencyPoint p : report.results().latency()) {
                g.writeStartObject();
                number(g, "ratePerSecond", p.ratePerSecond());
                openLoop(g, "direct", p.direct());
                openLoop(g, "proxy", p.proxy());
                g.writeName("addedMs");
                g.writeStartObject();
                for (double q : Percentiles.REPORTED) {
                    number(g, label(q), p.addedMillis(q));
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeName("streaming");
            g.writeStartArray();
            for (StreamingPoint p : report.results().streaming()) {
                g.writeStartObject();
                number(g, "streams", p.streams());
                stream(g, "direct", p.direct());
                stream(g, "proxy", p.proxy());
                g.writeName("firstChunkAddedMs");
                g.writeStartObject();
                number(g, "p50", p.firstChunkAddedMillis(50));
                number(g, "p99", p.firstChunkAddedMillis(99));
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            nullableNumber(g, "proxyPeakRssBytes", report.proxyPeakRssBytes());
            g.writeName("targets");
            g.writeStartArray();
            for (TargetCheck c : report.checks()) {
                g.writeStartObject();
                g.writeName("name");
                g.writeString(c.name());
                g.writeName("target");
                g.writeString(c.target());
                g.writeName("measured");
                g.writeString(c.measured());
                g.writeName("result");
                g.writeString(c.verdict());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toString();
    }

    private static void keyValues(StringBuilder md, String title, Map<String, String> values) {
        md.append("\n## ").append(title).append("\n\n| | |\n|---|---|\n");
        values.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append(" |\n"));
    }

    private static void throughput(StringBuilder md, ScenarioResults results) {
        md.append("\n## a) Throughput, closed loop\n\n")
                .append("| connections | direct req/s | proxy req/s | proxy/direct | proxy p50 / p99 ms | ")
                .append("proxy CPU-s | proxy CPU-s per 10k | errors direct / proxy |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (ThroughputPoint p : results.throughput()) {
            md.append(f("| %d | %.0f | %.0f | %.2f | %.3f / %.3f | %s | %s | %d / %d |\n", p.connections(),
                    p.direct().requestsPerSecond(), p.proxy().requestsPerSecond(),
                    p.proxy().requestsPerSecond() / p.direct().requestsPerSecond(),
                    Percentiles.millis(p.proxy().latencyMicros(), 50), Percentiles.millis(p.proxy().latencyMicros(), 99),
                    p.proxyCpuSeconds() == null ? "n/a" : f("%.2f", p.proxyCpuSeconds()),
                    p.proxyCpuSecondsPer10k() == null ? "n/a" : f("%.3f", p.proxyCpuSecondsPer10k()),
                    p.direct().errors(), p.proxy().errors()));
        }
    }

    private static void latency(StringBuilder md, ScenarioResults results) {
        md.append("\n## b) Latency, open loop at a constant rate (ms, from intended send time)\n\n")
                .append("| rate | | p50 | p90 | p99 | p99.9 | max | completed / scheduled | errors | unanswered |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (LatencyPoint p : results.latency()) {
            openLoopRow(md, p.ratePerSecond() + " req/s", "direct", p.direct());
            openLoopRow(md, "", "proxy", p.proxy());
            md.append(f("| | **added** | %.3f | %.3f | %.3f | %.3f | | | | |\n", p.addedMillis(50), p.addedMillis(90),
                    p.addedMillis(99), p.addedMillis(99.9)));
        }
    }

    private static void openLoopRow(StringBuilder md, String rate, String side, OpenLoopResult r) {
        Histogram h = r.latencyMicros();
        md.append(f("| %s | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %d / %d | %d | %d |\n", rate, side,
                Percentiles.millis(h, 50), Percentiles.millis(h, 90), Percentiles.millis(h, 99),
                Percentiles.millis(h, 99.9), Percentiles.maxMillis(h), r.completed(), r.scheduled(), r.errors(),
                r.incomplete()));
    }

    private static void streaming(StringBuilder md, ScenarioResults results) {
        md.append("\n## c) Streaming (ms)\n\n")
                .append("| streams | | first chunk p50 | first chunk p99 | largest gap p99 | largest gap max | ")
                .append("unbuffered | completed | short / errors / unfinished | max events per read |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (StreamingPoint p : results.streaming()) {
            streamRow(md, Integer.toString(p.streams()), "direct", p.direct());
            streamRow(md, "", "proxy", p.proxy());
            md.append(f("| | **added** | %.3f | %.3f | | | | | | |\n", p.firstChunkAddedMillis(50),
                    p.firstChunkAddedMillis(99)));
        }
        md.append("\nA stream is *unbuffered* when all its content chunks arrived and no chunk k arrived earlier than ")
                .append("t0 + k·interval − interval/2 after the first chunk's arrival t0 (chunks held back and ")
                .append("released together arrive early against that pacing; late chunks count in the gap instead). ")
                .append("Times are those of the socket read that completed each event.\n");
    }

    private static void streamRow(StringBuilder md, String streams, String side, StreamResult r) {
        md.append(f("| %s | %s | %.3f | %.3f | %.3f | %.3f | %.1f %% | %d | %d / %d / %d | %d |\n", streams, side,
                Percentiles.millis(r.firstEventMicros(), 50), Percentiles.millis(r.firstEventMicros(), 99),
                Percentiles.millis(r.largestGapMicros(), 99), Percentiles.maxMillis(r.largestGapMicros()),
                r.unbufferedShare() * 100, r.completed(), r.shortStreams(), r.errors(), r.incomplete(),
                r.maxEventsPerRead()));
    }

    private static void closedLoop(JsonGenerator g, String name, ClosedLoopResult r) {
        g.writeName(name);
        g.writeStartObject();
        number(g, "requestsPerSecond", r.requestsPerSecond());
        number(g, "completed", r.completed());
        number(g, "errors", r.errors());
        number(g, "measuredSeconds", r.measured().toMillis() / 1000.0);
        percentiles(g, "latencyMs", r.latencyMicros());
        g.writeEndObject();
    }

    private static void openLoop(JsonGenerator g, String name, OpenLoopResult r) {
        g.writeName(name);
        g.writeStartObject();
        number(g, "connections", r.connections());
        number(g, "scheduled", r.scheduled());
        number(g, "completed", r.completed());
        number(g, "errors", r.errors());
        number(g, "unanswered", r.incomplete());
        number(g, "maxBacklog", r.maxBacklog());
        percentiles(g, "latencyMs", r.latencyMicros());
        percentiles(g, "serviceTimeMs", r.serviceTimeMicros());
        g.writeEndObject();
    }

    private static void stream(JsonGenerator g, String name, StreamResult r) {
        g.writeName(name);
        g.writeStartObject();
        number(g, "completed", r.completed());
        number(g, "unbuffered", r.unbuffered());
        number(g, "unbufferedShare", r.unbufferedShare());
        number(g, "short", r.shortStreams());
        number(g, "errors", r.errors());
        number(g, "unfinished", r.incomplete());
        number(g, "maxEventsPerRead", r.maxEventsPerRead());
        percentiles(g, "firstChunkMs", r.firstEventMicros());
        percentiles(g, "largestGapMs", r.largestGapMicros());
        g.writeEndObject();
    }

    private static void percentiles(JsonGenerator g, String name, Histogram h) {
        g.writeName(name);
        g.writeStartObject();
        number(g, "count", h.getTotalCount());
        for (double q : Percentiles.REPORTED) {
            number(g, label(q), Percentiles.millis(h, q));
        }
        number(g, "max", Percentiles.maxMillis(h));
        g.writeEndObject();
    }

    private static void stringMap(JsonGenerator g, String name, Map<String, String> values) {
        g.writeName(name);
        g.writeStartObject();
        for (Map.Entry<String, String> e : values.entrySet()) {
            g.writeName(e.getKey());
            g.writeString(e.getValue());
        }
        g.writeEndObject();
    }

    private static void number(JsonGenerator g, String name, double value) {
        g.writeName(name);
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            g.writeNull();
        } else {
            g.writeNumber(value);
        }
    }

    private static void number(JsonGenerator g, String name, long value) {
        g.writeName(name);
        g.writeNumber(value);
    }

    private static void nullableNumber(JsonGenerator g, String name, @Nullable Number value) {
        if (value == null) {
            g.writeName(name);
            g.writeNull();
        } else if (value instanceof Long l) {
            number(g, name, l.longValue());
        } else {
            number(g, name, value.doubleValue());
        }
    }

    private static String label(double percentile) {
        return percentile == Math.rint(percentile) ? "p" + (long) percentile : "p" + percentile;
    }

    private static String f(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
