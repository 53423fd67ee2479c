package dev.llmproxy.bench.scenario;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The performance targets of the benchmark issue, evaluated against one run's results. */
public final class Targets {

    static final double CPU_SECONDS_PER_10K = 0.30;
    static final int LATENCY_RATE = 2_000;
    static final double ADDED_P50_MILLIS = 0.10;
    static final double ADDED_P99_MILLIS = 0.30;
    static final double FIRST_CHUNK_ADDED_P50_MILLIS = 0.5;
    static final int STREAMS = 300;
    static final double GAP_SLACK_MILLIS = 2.0;
    static final long PEAK_RSS_BYTES = 200L << 20;

    private Targets() {
    }

    /** Evaluates every target that the results allow; a missing measurement gives an {@code n/a} row. */
    public static List<TargetCheck> evaluate(ScenarioResults results, @Nullable Long proxyPeakRssBytes) {
        List<TargetCheck> checks = new ArrayList<>();
        for (ThroughputPoint point : results.throughput()) {
            Double cpu = point.proxyCpuSecondsPer10k();
            checks.add(new TargetCheck("proxy CPU-s per 10k requests, " + point.connections() + " connections",
                    "<= 0.30", cpu == null ? "n/a" : format("%.3f", cpu),
                    cpu == null ? null : cpu <= CPU_SECONDS_PER_10K));
        }
        results.latency().stream().filter(p -> p.ratePerSecond() == LATENCY_RATE).findFirst().ifPresent(p -> {
            checks.add(millis("added latency p50 at 2,000 req/s", "<= 0.10 ms", p.addedMillis(50), ADDED_P50_MILLIS));
            checks.add(millis("added latency p99 at 2,000 req/s", "<= 0.30 ms", p.addedMillis(99), ADDED_P99_MILLIS));
        });
        for (StreamingPoint point : results.streaming()) {
            checks.add(millis("first chunk added p50, " + point.streams() + " streams", "<= 0.5 ms",
                    point.firstChunkAddedMillis(50), FIRST_CHUNK_ADDED_P50_MILLIS));
        }
        results.streaming().stream().max(Comparator.comparingInt(StreamingPoint::streams))
                .filter(p -> p.streams() >= STREAMS).ifPresent(p -> streamingChecks(checks, p));
        checks.add(new TargetCheck("proxy peak RSS (VmHWM)", "<= 200 MiB",
                proxyPeakRssBytes == null ? "n/a" : format("%.1f MiB", proxyPeakRssBytes / 1048576.0),
                proxyPeakRssBytes == null ? null : proxyPeakRssBytes <= PEAK_RSS_BYTES));
        long failures = failures(results);
        checks.add(new TargetCheck("proxy errors + unanswered requests, all scenarios", "0",
                Long.toString(failures), failures == 0));
        return checks;
    }

    private static void streamingChecks(List<TargetCheck> checks, StreamingPoint point) {
        double share = point.proxy().unbufferedShare();
        checks.add(new TargetCheck("streams delivered unbuffered, " + point.streams() + " streams", "100 %",
                format("%.1f %% (direct %.1f %%)", share * 100, point.direct().unbufferedShare() * 100),
                share == 1.0));
        double proxyGap = Percentiles.maxMillis(point.proxy().largestGapMicros());
        double directGap = Percentiles.maxMillis(point.direct().largestGapMicros());
        boolean measured = !Double.isNaN(proxyGap) && !Double.isNaN(directGap);
        checks.add(new TargetCheck("largest inter-chunk gap, " + point.streams() + " streams",
                "<= direct + 2 ms", format("%.2f ms (direct %.2f ms)", proxyGap, directGap),
                measured ? proxyGap <= directGap + GAP_SLACK_MILLIS : null));
    }

    private static long failures(ScenarioResults results) {
        long n = 0;
        for (ThroughputPoint p : results.throughput()) {
            n += p.proxy().errors();
        }
        for (LatencyPoint p : results.latency()) {
            n += p.proxy().errors() + p.proxy().incomplete();
        }
        for (StreamingPoint p : results.streaming()) {
            n += p.proxy().errors() + p.proxy().incomplete() + p.proxy().shortStreams();
        }
        return n;
    }

    private static TargetCheck millis(String name, String target, double value, double limit) {
        return new TargetCheck(name, target, Double.isNaN(value) ? "n/a" : format("%.3f ms", value),
                Double.isNaN(value) ? null : value <= limit);
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
