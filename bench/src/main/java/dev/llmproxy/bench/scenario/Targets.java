package dev.llmproxy.bench.scenario;

import dev.llmproxy.bench.load.StreamResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The performance targets of the benchmark issue, evaluated against one run's results (medians across repeats), with
 * nginx's value for the same metric next to each.
 */
public final class Targets {

    static final double CPU_SECONDS_PER_10K = 0.30;
    static final int LATENCY_RATE = 2_000;
    static final double ADDED_P50_MILLIS = 0.10;
    static final double ADDED_P99_MILLIS = 0.30;
    static final double FIRST_CHUNK_ADDED_P50_MILLIS = 0.5;
    static final int STREAMS = 300;
    /**
     * Most of a run's time its chunks may spend stalled: a stall (every stream late together) excuses a late chunk
     * from counting as held, so a path that held every stream's chunks would pass as one long stall without this.
     */
    static final double MAX_STALLED_SHARE = 0.05;
    private static final String UNBUFFERED_GOAL = "100 %, stalled <= 5 %";
    static final double GAP_SLACK_MILLIS = 2.0;
    static final long PEAK_RSS_BYTES = 200L << 20;
    private static final String NA = "n/a";

    private Targets() {
    }

    /**
     * Evaluates every target that the results allow; a missing measurement gives an {@code n/a} row.
     *
     * @param proxyPeakRssBytes the proxy's VmHWM; null if unknown
     * @param nginxPeakRssBytes the nginx worker's VmHWM; null if unknown or nginx did not run
     */
    public static List<TargetCheck> evaluate(ScenarioResults results, @Nullable Long proxyPeakRssBytes,
            @Nullable Long nginxPeakRssBytes) {
        List<TargetCheck> checks = new ArrayList<>();
        for (ThroughputPoint point : results.throughput()) {
            double cpu = point.proxyCpuSecondsPer10k();
            Repeats<ThroughputRun> nginx = point.nginx();
            checks.add(new TargetCheck("proxy CPU-s per 10k requests, " + point.connections() + " connections",
                    "<= 0.30", number("%.3f", cpu),
                    nginx == null ? NA : number("%.3f", nginx.stat(ThroughputRun::cpuSecondsPer10k).median()),
                    Double.isNaN(cpu) ? null : cpu <= CPU_SECONDS_PER_10K));
        }
        results.latency().stream().filter(p -> p.ratePerSecond() == LATENCY_RATE).findFirst().ifPresent(p -> {
            checks.add(millis("added latency p50 at 2,000 req/s", "<= 0.10 ms", p.addedMillis(50),
                    p.nginxAddedMillis(50), ADDED_P50_MILLIS));
            checks.add(millis("added latency p99 at 2,000 req/s", "<= 0.30 ms", p.addedMillis(99),
                    p.nginxAddedMillis(99), ADDED_P99_MILLIS));
        });
        for (StreamingPoint point : results.streaming()) {
            checks.add(millis("first chunk added p50, " + point.streams() + " streams", "<= 0.5 ms",
                    point.firstChunkAddedMillis(50), point.nginxFirstChunkAddedMillis(50),
                    FIRST_CHUNK_ADDED_P50_MILLIS));
        }
        results.streaming().stream().max(Comparator.comparingInt(StreamingPoint::streams))
                .filter(p -> p.streams() >= STREAMS).ifPresent(p -> streamingChecks(checks, p));
        checks.add(new TargetCheck("proxy peak RSS (VmHWM)", "<= 200 MiB", mebibytes(proxyPeakRssBytes),
                mebibytes(nginxPeakRssBytes) + (nginxPeakRssBytes == null ? "" : " (worker)"),
                proxyPeakRssBytes == null ? null : proxyPeakRssBytes <= PEAK_RSS_BYTES));
        featureChecks(checks, results.features());
        long failures = failures(results, false);
        checks.add(new TargetCheck("proxy errors + unanswered requests, all scenarios", "0",
                Long.toString(failures), results.hasNginx() ? Long.toString(failures(results, true)) : NA, failures == 0));
        return checks;
    }

    /**
     * Per feature with a baseline: CPU per request within its ratio goal (paired per repeat, median); for a feature
     * whose limits bite, 429s and nothing else; for streams, every stream unbuffered and the first chunk within
     * 0.5 ms (p50) of the baseline's.
     */
    private static void featureChecks(List<TargetCheck> checks, List<FeaturePoint> points) {
        for (FeaturePoint point : points) {
            Feature feature = point.feature();
            FeaturePoint base = points.stream().filter(p -> p.feature().name().equals(feature.baseline()))
                    .findFirst().orElse(null);
            Repeats<LatencyRun> runs = point.requests();
            if (runs != null && feature.expectRateLimited()) {
                long limited = runs.sum(r -> r.result().rateLimited());
                long other = runs.sum(r -> r.result().errors() - r.result().rateLimited() + r.result().incomplete());
                checks.add(new TargetCheck("feature " + feature.name() + ": only 429s when limits bite",
                        "429s > 0, other errors 0", format("%d × 429, %d other", limited, other), NA,
                        limited > 0 && other == 0));
            }
            if (runs != null && base != null && base.requests() != null && feature.maxCpuRatio() != null) {
                double ratio = runs.ratio(base.requests(), FeaturePoint::cpuSecondsPer10kAnswered).median();
                double goal = feature.maxCpuRatio();
                checks.add(new TargetCheck("feature " + feature.name() + ": CPU per request over " + base.feature()
                        .name(), format("<= %.2f×", goal), number("%.3f×", ratio), NA,
                        Double.isNaN(ratio) ? null : ratio <= goal));
            }
            Repeats<StreamResult> streams = point.streams();
            if (streams != null && base != null && base.streams() != null) {
                double share = streams.stat(StreamResult::unbufferedShare).median();
                double stalled = stalledShare(streams);
                checks.add(new TargetCheck("feature " + feature.name() + ": streams unbuffered", UNBUFFERED_GOAL,
                        format("%.2f %%, stalled %.2f %% (%s %.2f %%, stalled %.2f %%)", share * 100, stalled * 100,
                                base.feature().name(), base.streams().stat(StreamResult::unbufferedShare).median()
                                        * 100, stalledShare(base.streams()) * 100), NA,
                        share == 1.0 && stalled <= MAX_STALLED_SHARE));
                double added = FeatureReport.addedOverBaseline(points, point);
                checks.add(millis("feature " + feature.name() + ": first chunk p50 added over " + base.feature()
                        .name() + "'s", "<= 0.5 ms", added, Double.NaN, FIRST_CHUNK_ADDED_P50_MILLIS));
            }
        }
    }

    private static void streamingChecks(List<TargetCheck> checks, StreamingPoint point) {
        double share = point.proxy().stat(StreamResult::unbufferedShare).median();
        double stalled = stalledShare(point.proxy());
        double directShare = point.direct().stat(StreamResult::unbufferedShare).median();
        Repeats<StreamResult> nginx = point.nginx();
        checks.add(new TargetCheck("streams delivered unbuffered, " + point.streams() + " streams", UNBUFFERED_GOAL,
                format("%.2f %%, stalled %.2f %% (direct %.2f %%, stalled %.2f %%)", share * 100, stalled * 100,
                        directShare * 100, stalledShare(point.direct()) * 100),
                nginx == null ? NA : format("%.2f %%, stalled %.2f %%",
                        nginx.stat(StreamResult::unbufferedShare).median() * 100, stalledShare(nginx) * 100),
                share == 1.0 && stalled <= MAX_STALLED_SHARE));
        double proxyGap = largestGap(point.proxy());
        double directGap = largestGap(point.direct());
        boolean measured = !Double.isNaN(proxyGap) && !Double.isNaN(directGap);
        checks.add(new TargetCheck("largest inter-chunk gap, " + point.streams() + " streams",
                "<= direct + 2 ms", format("%.2f ms (direct %.2f ms)", proxyGap, directGap),
                nginx == null ? NA : number("%.2f ms", largestGap(nginx)),
                measured ? proxyGap <= directGap + GAP_SLACK_MILLIS : null));
    }

    private static double stalledShare(Repeats<StreamResult> repeats) {
        return repeats.stat(r -> r.delays().stalledShare()).median();
    }

    private static double largestGap(Repeats<StreamResult> repeats) {
        return repeats.stat(r -> Percentiles.maxMillis(r.largestGapMicros())).median();
    }

    /** Errors and unanswered requests summed over every repeat of every point, of the proxy or of nginx. */
    private static long failures(ScenarioResults results, boolean ofNginx) {
        long n = 0;
        for (ThroughputPoint p : results.throughput()) {
            Repeats<ThroughputRun> runs = ofNginx ? p.nginx() : p.proxy();
            n += runs == null ? 0 : runs.sum(r -> r.result().errors());
        }
        for (LatencyPoint p : results.latency()) {
            Repeats<LatencyRun> runs = ofNginx ? p.nginx() : p.proxy();
            n += runs == null ? 0 : runs.sum(r -> r.result().errors() + r.result().incomplete());
        }
        for (StreamingPoint p : results.streaming()) {
            Repeats<StreamResult> runs = ofNginx ? p.nginx() : p.proxy();
            n += runs == null ? 0 : runs.sum(r -> r.errors() + r.incomplete() + r.shortStreams());
        }
        if (!ofNginx) {
            for (FeaturePoint p : results.features()) {
                boolean limited = p.feature().expectRateLimited();
                Repeats<LatencyRun> requests = p.requests();
                n += requests == null ? 0 : requests.sum(r -> r.result().errors() + r.result().incomplete()
                        - (limited ? r.result().rateLimited() : 0));
                Repeats<StreamResult> streams = p.streams();
                n += streams == null ? 0 : streams.sum(r -> r.errors() + r.incomplete() + r.shortStreams());
            }
        }
        return n;
    }

    private static TargetCheck millis(String name, String target, double value, double nginx, double limit) {
        return new TargetCheck(name, target, number("%.3f ms", value), number("%.3f ms", nginx),
                Double.isNaN(value) ? null : value <= limit);
    }

    private static String mebibytes(@Nullable Long bytes) {
        return bytes == null ? NA : format("%.1f MiB", bytes / 1048576.0);
    }

    private static String number(String pattern, double value) {
        return Double.isNaN(value) ? NA : format(pattern, value);
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
