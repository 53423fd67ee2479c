package dev.llmproxy.bench.scenario;

import dev.llmproxy.bench.load.StreamResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;

/**
 * The {@link Scenario#FEATURES} part of the report: one table for features measured with requests, one for streams,
 * and the counters' rates; in JSON, one object per feature.
 *
 * <p>Thread-safety: stateless.
 */
final class FeatureReport {

    private FeatureReport() {
    }

    static void markdown(StringBuilder md, List<FeaturePoint> points) {
        md.append("\n## e) Features against their baselines, same run\n\n")
                .append("Requests at the highest open-loop rate, streams at the highest stream count; \"vs baseline\" ")
                .append("is the median of the per-repeat ratios of CPU per answered request (2xx, and 429 for a ")
                .append("feature whose limits bite), each feature's own proxy process charged less its JIT compiler ")
                .append("threads, each repeat's windows taken in six interleaved slices per feature.\n\n")
                .append("| feature | what | baseline | CPU-s per 10k answered | vs baseline | p50 ms | p99 ms | 2xx ")
                .append("| 429 | other errors |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (FeaturePoint p : points) {
            Repeats<LatencyRun> runs = p.requests();
            if (runs == null) {
                continue;
            }
            FeaturePoint basePoint = baseline(points, p);
            Repeats<LatencyRun> base = basePoint == null ? null : basePoint.requests();
            md.append("| ").append(p.feature().name()).append(" | ").append(p.feature().description()).append(" | ")
                    .append(p.feature().baseline() == null ? "—" : p.feature().baseline()).append(" | ")
                    .append(ReportWriter.cell(runs.stat(FeaturePoint::cpuSecondsPer10kAnswered), "%.3f"))
                    .append(" | ").append(base == null ? "" : ReportWriter.cell(
                            runs.ratio(base, FeaturePoint::cpuSecondsPer10kAnswered), "%.3f×"))
                    .append(" | ").append(ReportWriter.cell(runs.stat(r -> Percentiles.millis(
                            r.result().latencyMicros(), 50)), "%.3f"))
                    .append(" | ").append(ReportWriter.cell(runs.stat(r -> Percentiles.millis(
                            r.result().latencyMicros(), 99)), "%.3f"))
                    .append(" | ").append(runs.sum(r -> r.result().completed()))
                    .append(" | ").append(runs.sum(r -> r.result().rateLimited()))
                    .append(" | ").append(runs.sum(r -> r.result().errors() - r.result().rateLimited()
                            + r.result().incomplete()))
                    .append(" |\n");
        }
        if (points.stream().anyMatch(p -> p.streams() != null)) {
            md.append("\nStreams: \"added over baseline\" is what the feature adds to the first chunk (p50) over its own ")
                    .append("upstream stream straight from the mock, minus what its baseline adds over its own.\n\n")
                    .append("| feature | what | baseline | first chunk p50 ms | added over baseline ms | largest gap max ms ")
                    .append("| chunk delay p50 / p99 ms | unbuffered | paced | held / late chunks | stalled ")
                    .append("| errors + short |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (FeaturePoint p : points) {
                Repeats<StreamResult> runs = p.streams();
                if (runs == null) {
                    continue;
                }
                FeaturePoint basePoint = baseline(points, p);
                Repeats<StreamResult> base = basePoint == null ? null : basePoint.streams();
                md.append("| ").append(p.feature().name()).append(" | ").append(p.feature().description())
                        .append(" | ").append(p.feature().baseline() == null ? "—" : p.feature().baseline())
                        .append(" | ").append(ReportWriter.cell(runs.stat(FeatureReport::firstChunkMillis), "%.3f"))
                        .append(" | ").append(base == null ? ""
                                : String.format(Locale.ROOT, "%+.3f", addedOverBaseline(points, p)))
                        .append(" | ").append(ReportWriter.cell(runs.stat(
                                r -> Percentiles.maxMillis(r.largestGapMicros())), "%.2f"))
                        .append(" | ").append(ReportWriter.cell(runs.stat(
                                r -> Percentiles.millis(r.delays().delayMicros(), 50)), "%.3f")).append(" / ")
                        .append(ReportWriter.cell(runs.stat(
                                r -> Percentiles.millis(r.delays().delayMicros(), 99)), "%.3f"))
                        .append(" | ").append(ReportWriter.cell(runs.stat(r -> r.unbufferedShare() * 100),
                                "%.2f %%"))
                        .append(" | ").append(ReportWriter.cell(runs.stat(r -> r.pacedShare() * 100), "%.2f %%"))
                        .append(" | ").append(runs.sum(r -> r.delays().heldChunks())).append(" / ")
                        .append(runs.sum(r -> r.delays().lateChunks()))
                        .append(" | ").append(ReportWriter.cell(runs.stat(r -> r.delays().stalledShare() * 100),
                                "%.2f %%"))
                        .append(" | ").append(runs.sum(r -> r.errors() + r.incomplete() + r.shortStreams()))
                        .append(" |\n");
            }
            md.append("\n").append(ReportWriter.CHUNK_RULES);
        }
        for (FeaturePoint p : points) {
            if (p.countersPerSecond().isEmpty() || p.countersPerSecond().get(0).isEmpty()) {
                continue;
            }
            md.append("\nCounters during ").append(p.feature().name()).append(" (per second of its runs, median ")
                    .append("[range]): ");
            List<String> parts = new ArrayList<>();
            for (String name : names(p)) {
                parts.add(name + " " + ReportWriter.cell(counter(p, name), "%.1f"));
            }
            md.append(String.join("; ", parts)).append(".\n");
        }
    }

    static void json(JsonGenerator g, List<FeaturePoint> points) {
        g.writeName("features");
        g.writeStartArray();
        for (FeaturePoint p : points) {
            g.writeStartObject();
            g.writeName("name");
            g.writeString(p.feature().name());
            g.writeName("description");
            g.writeString(p.feature().description());
            g.writeName("kind");
            g.writeString(p.feature().kind().name());
            g.writeName("baseline");
            if (p.feature().baseline() == null) {
                g.writeNull();
            } else {
                g.writeString(p.feature().baseline());
            }
            FeaturePoint base = baseline(points, p);
            Repeats<LatencyRun> runs = p.requests();
            if (runs != null) {
                spread(g, "cpuSecondsPer10kAnswered", runs.stat(FeaturePoint::cpuSecondsPer10kAnswered));
                if (base != null && base.requests() != null) {
                    spread(g, "cpuRatioToBaseline", runs.ratio(base.requests(),
                            FeaturePoint::cpuSecondsPer10kAnswered));
                }
                spread(g, "p50Ms", runs.stat(r -> Percentiles.millis(r.result().latencyMicros(), 50)));
                spread(g, "p99Ms", runs.stat(r -> Percentiles.millis(r.result().latencyMicros(), 99)));
                count(g, "completed", runs.sum(r -> r.result().completed()));
                count(g, "rateLimited", runs.sum(r -> r.result().rateLimited()));
                count(g, "otherErrors", runs.sum(r -> r.result().errors() - r.result().rateLimited()));
                count(g, "incomplete", runs.sum(r -> r.result().incomplete()));
            }
            Repeats<StreamResult> streams = p.streams();
            if (streams != null) {
                spread(g, "firstChunkP50Ms", streams.stat(FeatureReport::firstChunkMillis));
                if (base != null && base.streams() != null) {
                    g.writeName("firstChunkAddedOverBaselineMs");
                    number(g, addedOverBaseline(points, p));
                }
                spread(g, "unbufferedShare", streams.stat(StreamResult::unbufferedShare));
                spread(g, "pacedShare", streams.stat(StreamResult::pacedShare));
                spread(g, "stalledShare", streams.stat(r -> r.delays().stalledShare()));
                spread(g, "chunkDelayP50Ms", streams.stat(r -> Percentiles.millis(r.delays().delayMicros(), 50)));
                count(g, "heldChunks", streams.sum(r -> r.delays().heldChunks()));
                count(g, "lateChunks", streams.sum(r -> r.delays().lateChunks()));
                count(g, "errors", streams.sum(r -> r.errors() + r.incomplete() + r.shortStreams()));
            }
            for (String name : names(p)) {
                spread(g, "perSecond:" + name, counter(p, name));
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static @Nullable FeaturePoint baseline(List<FeaturePoint> points, FeaturePoint point) {
        return named(points, point.feature().baseline());
    }

    /**
     * For a stream feature with a baseline: the first chunk's p50 it adds over its direct stream, minus what its
     * baseline adds over its own (each a median of per-repeat differences); without direct streams, the plain
     * difference from the baseline. NaN if not measured.
     */
    static double addedOverBaseline(List<FeaturePoint> points, FeaturePoint point) {
        FeaturePoint base = baseline(points, point);
        if (point.streams() == null || base == null || base.streams() == null) {
            return Double.NaN;
        }
        FeaturePoint direct = named(points, point.feature().direct());
        FeaturePoint baseDirect = named(points, base.feature().direct());
        if (direct == null || direct.streams() == null || baseDirect == null || baseDirect.streams() == null) {
            return point.streams().minus(base.streams(), FeatureReport::firstChunkMillis).median();
        }
        return point.streams().minus(direct.streams(), FeatureReport::firstChunkMillis).median()
                - base.streams().minus(baseDirect.streams(), FeatureReport::firstChunkMillis).median();
    }

    private static @Nullable FeaturePoint named(List<FeaturePoint> points, @Nullable String name) {
        return name == null ? null
                : points.stream().filter(p -> p.feature().name().equals(name)).findFirst().orElse(null);
    }

    private static double firstChunkMillis(StreamResult result) {
        return Percentiles.millis(result.firstEventMicros(), 50);
    }

    private static TreeSet<String> names(FeaturePoint p) {
        TreeSet<String> names = new TreeSet<>();
        p.countersPerSecond().forEach(m -> names.addAll(m.keySet()));
        return names;
    }

    private static Spread counter(FeaturePoint p, String name) {
        return Spread.of(p.countersPerSecond().stream().map(m -> m.get(name))
                .mapToDouble(v -> v == null ? Double.NaN : v).toArray());
    }

    private static void spread(JsonGenerator g, String name, Spread spread) {
        g.writeName(name);
        g.writeStartObject();
        g.writeName("median");
        number(g, spread.median());
        g.writeName("min");
        number(g, spread.min());
        g.writeName("max");
        number(g, spread.max());
        g.writeEndObject();
    }

    private static void count(JsonGenerator g, String name, long value) {
        g.writeName(name);
        g.writeNumber(value);
    }

    private static void number(JsonGenerator g, double value) {
        if (Double.isNaN(value)) {
            g.writeNull();
        } else {
            g.writeNumber(value);
        }
    }
}
