package dev.llmproxy.bench.scenario;

import dev.llmproxy.bench.load.ChunkDelays;
import dev.llmproxy.bench.load.ClosedLoopResult;
import dev.llmproxy.bench.load.OpenLoopResult;
import dev.llmproxy.bench.load.StreamResult;
import java.io.StringWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Renders a {@link BenchReport} as Markdown and as JSON. Tables show one row per target (direct, the proxy, nginx)
 * and difference rows: <em>added</em> is a target minus direct, and the proxy minus nginx. With repeats, a cell is
 * the median across repeats followed by the range {@code [min–max]}; difference rows are medians of the per-repeat
 * differences.
 *
 * <p>Thread-safety: stateless.
 */
public final class ReportWriter {

    private static final JsonFactory JSON = new JsonFactory();
    private static final String NGINX = "nginx";

    private ReportWriter() {
    }

    /** The report as a Markdown document. */
    public static String markdown(BenchReport report) {
        StringBuilder md = new StringBuilder(8192);
        md.append("# llmproxy benchmark\n\nStarted ").append(report.startedAt()).append(".\n\n");
        md.append("## Targets\n\n| target | goal | measured | nginx | result |\n|---|---|---|---|---|\n");
        report.checks().forEach(c -> md.append("| ").append(c.name()).append(" | ").append(c.target()).append(" | ")
                .append(c.measured()).append(" | ").append(c.nginx()).append(" | ").append(c.verdict())
                .append(" |\n"));
        keyValues(md, "Machine", report.machine());
        keyValues(md, "Setup", report.setup());
        ScenarioResults results = report.results();
        if (results.repeat() > 1) {
            md.append("\nEvery point ran ").append(results.repeat()).append(" times per target, the target order ")
                    .append("reversed on every other repeat. Cells: median [min–max] across repeats; difference ")
                    .append("rows: median [min–max] of the per-repeat differences; counts: sums over repeats.\n");
        }
        Table table = new Table(md, report.proxyName());
        if (!results.throughput().isEmpty()) {
            throughput(table, results.throughput());
        }
        if (!results.latency().isEmpty()) {
            latency(table, results.latency());
        }
        if (!results.streaming().isEmpty()) {
            streaming(table, results.streaming());
        }
        if (!results.features().isEmpty()) {
            FeatureReport.markdown(md, results.features());
        }
        md.append("\n## Memory\n\nProxy peak RSS (VmHWM over the whole run): ")
                .append(report.proxyPeakRssBytes() == null ? "n/a (proxy pid unknown)"
                        : f("%.1f MiB", report.proxyPeakRssBytes() / 1048576.0));
        if (report.nginxPeakRssBytes() != null) {
            md.append("; nginx worker: ").append(f("%.1f MiB", report.nginxPeakRssBytes() / 1048576.0));
        }
        md.append(".\n");
        return md.toString();
    }

    private static void throughput(Table t, List<ThroughputPoint> points) {
        t.md.append("\n## a) Throughput, closed loop\n\n")
                .append("| connections | | req/s | vs direct | p50 ms | p99 ms | CPU-s | CPU-s per 10k | errors |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        ToDoubleFunction<ThroughputRun> p50 = r -> Percentiles.millis(r.result().latencyMicros(), 50);
        ToDoubleFunction<ThroughputRun> p99 = r -> Percentiles.millis(r.result().latencyMicros(), 99);
        for (ThroughputPoint p : points) {
            String first = Integer.toString(p.connections());
            for (Side<ThroughputRun> side : t.sides(p.direct(), p.proxy(), p.nginx())) {
                Repeats<ThroughputRun> runs = side.runs();
                t.row(first, side.name(), cell(runs.stat(r -> r.result().requestsPerSecond()), "%.0f"),
                        side.name().equals("direct") ? ""
                                : cell(runs.ratio(p.direct(), r -> r.result().requestsPerSecond()), "%.2f"),
                        cell(runs.stat(p50), "%.3f"), cell(runs.stat(p99), "%.3f"),
                        cell(runs.stat(ThroughputRun::cpuSecondsOrNaN), "%.2f"),
                        cell(runs.stat(ThroughputRun::cpuSecondsPer10k), "%.3f"),
                        Long.toString(runs.sum(r -> r.result().errors())));
                first = "";
            }
            for (Difference<ThroughputRun> d : t.differences(p.direct(), p.proxy(), p.nginx())) {
                t.row("", "**" + d.name() + "**", "", "", cell(d.spread(p50), "%.3f"), cell(d.spread(p99), "%.3f"),
                        "", d.subtrahendIsDirect() ? "" : cell(d.spread(ThroughputRun::cpuSecondsPer10k), "%.3f"),
                        "");
            }
        }
        t.md.append("\nCPU: the proxy process and the nginx worker, over the measured window (not the warm-up); ")
                .append("direct is the in-process mock, whose CPU is not separated from the load generator's.\n");
    }

    private static void latency(Table t, List<LatencyPoint> points) {
        t.md.append("\n## b) Latency, open loop at a constant rate (ms, from intended send time)\n\n")
                .append("| rate | | p50 | p90 | p99 | p99.9 | max | CPU-s per 10k | completed / scheduled | errors "
                        + "| unanswered |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (LatencyPoint p : points) {
            String first = p.ratePerSecond() + " req/s";
            for (Side<LatencyRun> side : t.sides(p.direct(), p.proxy(), p.nginx())) {
                Repeats<LatencyRun> runs = side.runs();
                t.row(first, side.name(), cell(runs.stat(r -> LatencyPoint.millis(r, 50)), "%.3f"),
                        cell(runs.stat(r -> LatencyPoint.millis(r, 90)), "%.3f"),
                        cell(runs.stat(r -> LatencyPoint.millis(r, 99)), "%.3f"),
                        cell(runs.stat(r -> LatencyPoint.millis(r, 99.9)), "%.3f"),
                        cell(runs.stat(r -> Percentiles.maxMillis(r.result().latencyMicros())), "%.3f"),
                        cell(runs.stat(LatencyRun::cpuSecondsPer10k), "%.3f"),
                        runs.sum(r -> r.result().completed()) + " / " + runs.sum(r -> r.result().scheduled()),
                        Long.toString(runs.sum(r -> r.result().errors())),
                        Long.toString(runs.sum(r -> r.result().incomplete())));
                first = "";
            }
            for (Difference<LatencyRun> d : t.differences(p.direct(), p.proxy(), p.nginx())) {
                t.row("", "**" + d.name() + "**", cell(d.spread(r -> LatencyPoint.millis(r, 50)), "%.3f"),
                        cell(d.spread(r -> LatencyPoint.millis(r, 90)), "%.3f"),
                        cell(d.spread(r -> LatencyPoint.millis(r, 99)), "%.3f"),
                        cell(d.spread(r -> LatencyPoint.millis(r, 99.9)), "%.3f"), "",
                        d.subtrahendIsDirect() ? "" : cell(d.spread(LatencyRun::cpuSecondsPer10k), "%.3f"), "", "",
                        "");
            }
        }
        t.md.append("\nCPU: the proxy process and the nginx worker over the measured window, at the same arrivals "
                + "for every target.\n");
    }

    private static void streaming(Table t, List<StreamingPoint> points) {
        t.md.append("\n## c) Streaming (ms)\n\n")
                .append("| streams | | first chunk p50 | first chunk p99 | largest gap p99 | largest gap max | ")
                .append("chunk delay p50 / p99 | unbuffered | paced | held / late chunks | stalled | completed | ")
                .append("short / errors / unfinished | max events per read |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        ToDoubleFunction<StreamResult> gap99 = r -> Percentiles.millis(r.largestGapMicros(), 99);
        ToDoubleFunction<StreamResult> gapMax = r -> Percentiles.maxMillis(r.largestGapMicros());
        for (StreamingPoint p : points) {
            String first = Integer.toString(p.streams());
            for (Side<StreamResult> side : t.sides(p.direct(), p.proxy(), p.nginx())) {
                Repeats<StreamResult> runs = side.runs();
                t.row(first, side.name(), cell(runs.stat(r -> StreamingPoint.firstChunkMillis(r, 50)), "%.3f"),
                        cell(runs.stat(r -> StreamingPoint.firstChunkMillis(r, 99)), "%.3f"),
                        cell(runs.stat(gap99), "%.3f"), cell(runs.stat(gapMax), "%.3f"),
                        cell(runs.stat(r -> Percentiles.millis(r.delays().delayMicros(), 50)), "%.3f") + " / "
                                + cell(runs.stat(r -> Percentiles.millis(r.delays().delayMicros(), 99)), "%.3f"),
                        cell(runs.stat(r -> r.unbufferedShare() * 100), "%.2f %%"),
                        cell(runs.stat(r -> r.pacedShare() * 100), "%.2f %%"),
                        runs.sum(r -> r.delays().heldChunks()) + " / " + runs.sum(r -> r.delays().lateChunks()),
                        cell(runs.stat(r -> r.delays().stalledShare() * 100), "%.2f %%"),
                        Long.toString(runs.sum(StreamResult::completed)),
                        runs.sum(StreamResult::shortStreams) + " / " + runs.sum(StreamResult::errors) + " / "
                                + runs.sum(StreamResult::incomplete),
                        Long.toString(runs.runs().stream().mapToInt(StreamResult::maxEventsPerRead).max()
                                .orElse(0)));
                first = "";
            }
            for (Difference<StreamResult> d : t.differences(p.direct(), p.proxy(), p.nginx())) {
                t.row("", "**" + d.name() + "**", cell(d.spread(r -> StreamingPoint.firstChunkMillis(r, 50)), "%.3f"),
                        cell(d.spread(r -> StreamingPoint.firstChunkMillis(r, 99)), "%.3f"),
                        cell(d.spread(gap99), "%.3f"), cell(d.spread(gapMax), "%.3f"),
                        cell(d.spread(r -> Percentiles.millis(r.delays().delayMicros(), 50)), "%.3f"), "", "", "",
                        "", "", "", "");
            }
        }
        t.md.append("\n").append(CHUNK_RULES);
    }

    /** How the streams' columns are judged, for every table that shows them. */
    static final String CHUNK_RULES = "Every content chunk carries the mock's send time in its text, so each chunk's "
            + "*delay* is its arrival at the client minus its send. A chunk is *late* when its delay passed half the "
            + "upstream interval; *stalled* is the share of time (in quarter-interval bins by send time) in which a "
            + "quarter or more of all streams' chunks were late together, which a machine stall does and a proxy "
            + "holding one stream's chunk does not. A late chunk sent in a stall, in the two intervals after one or "
            + "while it waited is the stall's; any other is *held* when three quarters of the other streams' chunks "
            + "sent while it waited got through, and a stream is *unbuffered* when it was complete with no chunk held. "
            + "*Paced* is the earlier rule, on arrival times alone: no chunk k arrived earlier than t0 + k·interval − "
            + "interval/2 after the first chunk's arrival t0, which a stall at the first chunk also breaks. Times are "
            + "those of the socket read that completed each event.\n";

    /** One line on a stream run's chunk delays, for the progress log. */
    static String chunkSummary(StreamResult result) {
        ChunkDelays d = result.delays();
        if (!d.isStamped()) {
            return String.format(Locale.ROOT, "%d/%d paced, chunks without send stamps", result.paced(),
                    result.completed());
        }
        return String.format(Locale.ROOT, "chunk delay p50 %.3f ms p99 %.3f ms, %d/%d late, %d held (first %d, last "
                        + "%d, between %d), %d stalls (%.0f ms, longest %.1f ms), %d paced",
                Percentiles.millis(d.delayMicros(), 50), Percentiles.millis(d.delayMicros(), 99), d.lateChunks(),
                d.chunks(), d.heldChunks(), d.heldAt().first(), d.heldAt().last(), d.heldAt().between(), d.stalls(),
                d.stalledNanos() / 1e6, d.longestStallNanos() / 1e6, result.paced());
    }

    /** The report as a JSON document; percentiles in milliseconds, NaN (nothing recorded) as null. */
    public static String json(BenchReport report) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            g.writeStartObject();
            g.writeName("startedAt");
            g.writeString(report.startedAt());
            g.writeName("proxyName");
            g.writeString(report.proxyName());
            number(g, "repeat", report.results().repeat());
            stringMap(g, "machine", report.machine());
            stringMap(g, "setup", report.setup());
            g.writeName("throughput");
            g.writeStartArray();
            for (ThroughputPoint p : report.results().throughput()) {
                g.writeStartObject();
                number(g, "connections", p.connections());
                throughputRuns(g, "direct", p.direct());
                throughputRuns(g, "proxy", p.proxy());
                throughputRuns(g, NGINX, p.nginx());
                number(g, "proxyCpuSecondsPer10k", p.proxyCpuSecondsPer10k());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeName("latency");
            g.writeStartArray();
            for (LatencyPoint p : report.results().latency()) {
                g.writeStartObject();
                number(g, "ratePerSecond", p.ratePerSecond());
                openLoopRuns(g, "direct", p.direct());
                openLoopRuns(g, "proxy", p.proxy());
                openLoopRuns(g, NGINX, p.nginx());
                differences(g, "addedMs", p.proxy(), p.direct(), LatencyPoint::millis);
                differences(g, "nginxAddedMs", p.nginx(), p.direct(), LatencyPoint::millis);
                differences(g, "proxyMinusNginxMs", p.nginx() == null ? null : p.proxy(), p.nginx(),
                        LatencyPoint::millis);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeName("streaming");
            g.writeStartArray();
            for (StreamingPoint p : report.results().streaming()) {
                g.writeStartObject();
                number(g, "streams", p.streams());
                streamRuns(g, "direct", p.direct());
                streamRuns(g, "proxy", p.proxy());
                streamRuns(g, NGINX, p.nginx());
                differences(g, "firstChunkAddedMs", p.proxy(), p.direct(), StreamingPoint::firstChunkMillis);
                differences(g, "nginxFirstChunkAddedMs", p.nginx(), p.direct(), StreamingPoint::firstChunkMillis);
                differences(g, "proxyMinusNginxFirstChunkMs", p.nginx() == null ? null : p.proxy(), p.nginx(),
                        StreamingPoint::firstChunkMillis);
                g.writeEndObject();
            }
            g.writeEndArray();
            FeatureReport.json(g, report.results().features());
            nullableNumber(g, "proxyPeakRssBytes", report.proxyPeakRssBytes());
            nullableNumber(g, "nginxPeakRssBytes", report.nginxPeakRssBytes());
            targets(g, report.checks());
            g.writeEndObject();
        }
        return out.toString();
    }

    private static void targets(JsonGenerator g, List<TargetCheck> checks) {
        g.writeName("targets");
        g.writeStartArray();
        for (TargetCheck c : checks) {
            g.writeStartObject();
            g.writeName("name");
            g.writeString(c.name());
            g.writeName("target");
            g.writeString(c.target());
            g.writeName("measured");
            g.writeString(c.measured());
            g.writeName(NGINX);
            g.writeString(c.nginx());
            g.writeName("result");
            g.writeString(c.verdict());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Median of the per-repeat differences at each reported percentile; null when a side is missing. */
    private static <R> void differences(JsonGenerator g, String name, @Nullable Repeats<R> minuend,
            @Nullable Repeats<R> subtrahend, PercentileMetric<R> metric) {
        g.writeName(name);
        if (minuend == null || subtrahend == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        for (double q : Percentiles.REPORTED) {
            number(g, label(q), minuend.minus(subtrahend, r -> metric.millis(r, q)).median());
        }
        g.writeEndObject();
    }

    private static void throughputRuns(JsonGenerator g, String name, @Nullable Repeats<ThroughputRun> runs) {
        g.writeName(name);
        if (runs == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (ThroughputRun run : runs.runs()) {
            ClosedLoopResult r = run.result();
            g.writeStartObject();
            number(g, "requestsPerSecond", r.requestsPerSecond());
            number(g, "completed", r.completed());
            number(g, "errors", r.errors());
            number(g, "measuredSeconds", r.measured().toMillis() / 1000.0);
            nullableNumber(g, "cpuSeconds", run.cpuSeconds());
            number(g, "cpuSecondsPer10k", run.cpuSecondsPer10k());
            percentiles(g, "latencyMs", r.latencyMicros());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void openLoopRuns(JsonGenerator g, String name, @Nullable Repeats<LatencyRun> runs) {
        g.writeName(name);
        if (runs == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (LatencyRun run : runs.runs()) {
            OpenLoopResult r = run.result();
            g.writeStartObject();
            number(g, "connections", r.connections());
            number(g, "scheduled", r.scheduled());
            number(g, "completed", r.completed());
            number(g, "errors", r.errors());
            number(g, "unanswered", r.incomplete());
            number(g, "maxBacklog", r.maxBacklog());
            nullableNumber(g, "cpuSeconds", run.cpuSeconds());
            number(g, "cpuSecondsPer10k", run.cpuSecondsPer10k());
            percentiles(g, "latencyMs", r.latencyMicros());
            percentiles(g, "serviceTimeMs", r.serviceTimeMicros());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void streamRuns(JsonGenerator g, String name, @Nullable Repeats<StreamResult> runs) {
        g.writeName(name);
        if (runs == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (StreamResult r : runs.runs()) {
            g.writeStartObject();
            number(g, "completed", r.completed());
            number(g, "unbuffered", r.unbuffered());
            number(g, "unbufferedShare", r.unbufferedShare());
            number(g, "paced", r.paced());
            number(g, "lateChunks", r.delays().lateChunks());
            number(g, "heldChunks", r.delays().heldChunks());
            number(g, "stalls", r.delays().stalls());
            number(g, "stalledShare", r.delays().stalledShare());
            percentiles(g, "chunkDelayMs", r.delays().delayMicros());
            number(g, "short", r.shortStreams());
            number(g, "errors", r.errors());
            number(g, "unfinished", r.incomplete());
            number(g, "maxEventsPerRead", r.maxEventsPerRead());
            percentiles(g, "firstChunkMs", r.firstEventMicros());
            percentiles(g, "largestGapMs", r.largestGapMicros());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void keyValues(StringBuilder md, String title, Map<String, String> values) {
        md.append("\n## ").append(title).append("\n\n| | |\n|---|---|\n");
        values.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append(" |\n"));
    }

    /** {@code pattern} applied to the median, then the range when more than one repeat measured the metric. */
    static String cell(Spread spread, String pattern) {
        if (!spread.isMeasured()) {
            return "n/a";
        }
        String median = f(pattern, spread.median());
        return spread.count() == 1 ? median
                : median + " [" + f(pattern, spread.min()) + "–" + f(pattern, spread.max()) + "]";
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

    /** A metric read at a percentile, in milliseconds. */
    private interface PercentileMetric<R> {
        double millis(R result, double percentile);
    }

    /** One target's row: its label and its runs. */
    private record Side<R>(String name, Repeats<R> runs) {
    }

    /** A difference row: {@code minuend} minus {@code subtrahend}, per repeat. */
    private record Difference<R>(String name, Repeats<R> minuend, Repeats<R> subtrahend, boolean subtrahendIsDirect) {

        Spread spread(ToDoubleFunction<R> metric) {
            return minuend.minus(subtrahend, metric);
        }
    }

    /** A Markdown table being written, and the proxy's label. */
    private record Table(StringBuilder md, String proxyName) {

        <R> List<Side<R>> sides(Repeats<R> direct, Repeats<R> proxy, @Nullable Repeats<R> nginx) {
            return nginx == null ? List.of(new Side<>("direct", direct), new Side<>(proxyName, proxy))
                    : List.of(new Side<>("direct", direct), new Side<>(proxyName, proxy), new Side<>(NGINX, nginx));
        }

        <R> List<Difference<R>> differences(Repeats<R> direct, Repeats<R> proxy, @Nullable Repeats<R> nginx) {
            Difference<R> added = new Difference<>(nginx == null ? "added" : proxyName + " added", proxy, direct,
                    true);
            return nginx == null ? List.of(added) : List.of(added,
                    new Difference<>("nginx added", nginx, direct, true),
                    new Difference<>(proxyName + " − nginx", proxy, nginx, false));
        }

        void row(String... cells) {
            md.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
    }
}
