package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.bench.load.ClosedLoopPlan;
import dev.llmproxy.bench.load.ClosedLoopResult;
import dev.llmproxy.bench.load.LoadGenerator;
import dev.llmproxy.bench.load.OpenLoopPlan;
import dev.llmproxy.bench.load.OpenLoopResult;
import dev.llmproxy.bench.load.ProcessStats;
import dev.llmproxy.bench.load.RequestTemplate;
import dev.llmproxy.bench.load.StreamPlan;
import dev.llmproxy.bench.load.StreamResult;
import dev.llmproxy.bench.load.StreamShape;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Runs the selected scenarios against every target of a {@link Lineup}, one right after the other for every point,
 * each after its own warm-up, so that all see the same machine state. With {@code repeat > 1} each point is measured
 * that many times per target, the target order reversed on every other repeat.
 *
 * <p>Thread-safety: not thread-safe; {@link #run()} blocks the calling thread for the whole benchmark.
 */
public final class ScenarioRunner {

    private static final int WARMUP_STREAMS = 32;
    /** Slices per feature window in a repeat: 2 s each in the full run's 12 s window. */
    static final int FEATURE_SLICES = 6;

    private final LoadGenerator generator;
    private final Lineup lineup;
    private final ScenarioOptions options;
    private final List<Feature> features;
    private final PrintStream progress;

    /**
     * Creates a runner.
     *
     * @param progress where one line per run is printed
     */
    public ScenarioRunner(LoadGenerator generator, Lineup lineup, ScenarioOptions options, PrintStream progress) {
        this(generator, lineup, options, List.of(), progress);
    }

    /**
     * Creates a runner that also measures {@code features} when {@link Scenario#FEATURES} is selected.
     *
     * @param progress where one line per run is printed
     */
    public ScenarioRunner(LoadGenerator generator, Lineup lineup, ScenarioOptions options, List<Feature> features,
            PrintStream progress) {
        this.generator = requireNonNull(generator, "generator");
        this.lineup = requireNonNull(lineup, "lineup");
        this.options = requireNonNull(options, "options");
        this.features = List.copyOf(features);
        this.progress = requireNonNull(progress, "progress");
    }

    /**
     * Runs every selected scenario.
     *
     * @throws IllegalStateException if a target cannot be reached or a run overruns its bounds
     */
    public ScenarioResults run() {
        warmUp();
        List<ThroughputPoint> throughput = new ArrayList<>();
        List<LatencyPoint> latency = new ArrayList<>();
        List<StreamingPoint> streaming = new ArrayList<>();
        if (options.scenarios().contains(Scenario.THROUGHPUT)) {
            for (int connections : options.connections()) {
                Map<Target, Repeats<ThroughputRun>> runs = repeat(t -> throughput(t, connections));
                throughput.add(new ThroughputPoint(connections, direct(runs), proxy(runs), nginx(runs)));
            }
        }
        if (options.scenarios().contains(Scenario.LATENCY)) {
            for (int rate : options.rates()) {
                Map<Target, Repeats<LatencyRun>> runs = repeat(t -> latency(t, rate));
                latency.add(new LatencyPoint(rate, direct(runs), proxy(runs), nginx(runs)));
            }
        }
        if (options.scenarios().contains(Scenario.STREAMING)) {
            for (int streams : options.streams()) {
                Map<Target, Repeats<StreamResult>> runs = repeat(t -> streaming(t, streams));
                streaming.add(new StreamingPoint(streams, direct(runs), proxy(runs), nginx(runs)));
            }
        }
        List<FeaturePoint> featurePoints = options.scenarios().contains(Scenario.FEATURES) ? features()
                : List.of();
        return new ScenarioResults(throughput, latency, streaming, featurePoints);
    }

    /**
     * Measures every feature {@code repeat} times at the highest open-loop rate (streams: the most concurrent), after
     * one warm-up each; the order is reversed on every other repeat, as for the targets. Request features are measured
     * in interleaved slices ({@link #requestRepeat}), streams one whole window each.
     */
    private List<FeaturePoint> features() {
        int rate = options.rates().stream().mapToInt(Integer::intValue).max().orElse(Targets.LATENCY_RATE);
        int streams = options.streams().stream().mapToInt(Integer::intValue).max().orElse(Targets.STREAMS);
        for (Feature feature : features) {
            progress.printf("[warm-up] feature %s: %s%n", feature.name(), seconds(options.initialWarmup()));
            if (feature.kind() == Feature.Kind.REQUESTS) {
                generator.run(new OpenLoopPlan(feature.request(), options.latencyConnections(), rate, Duration.ZERO,
                        options.initialWarmup()));
            } else {
                generator.run(streamPlan(feature.request(), WARMUP_STREAMS, Duration.ZERO,
                        half(options.initialWarmup())));
            }
        }
        Map<Feature, List<LatencyRun>> requestRuns = new HashMap<>();
        Map<Feature, List<StreamResult>> streamRuns = new HashMap<>();
        Map<Feature, List<Map<String, Double>>> counters = new HashMap<>();
        for (int i = 0; i < options.repeat(); i++) {
            List<Feature> order = new ArrayList<>(features);
            if (i % 2 == 1) {
                Collections.reverse(order);
            }
            List<Feature> requestFeatures = order.stream().filter(f -> f.kind() == Feature.Kind.REQUESTS).toList();
            if (!requestFeatures.isEmpty()) {
                requestRepeat(requestFeatures, rate, requestRuns, counters);
            }
            for (Feature feature : order) {
                if (feature.kind() != Feature.Kind.STREAMS) {
                    continue;
                }
                Map<String, Double> before = read(feature);
                long started = System.nanoTime();
                streamRuns.computeIfAbsent(feature, f -> new ArrayList<>()).add(featureStreams(feature, streams));
                Map<String, Double> deltas = new LinkedHashMap<>();
                addDeltas(deltas, before, read(feature));
                counters.computeIfAbsent(feature, f -> new ArrayList<>())
                        .add(perSecond(deltas, System.nanoTime() - started));
            }
        }
        List<FeaturePoint> points = new ArrayList<>();
        for (Feature feature : features) {
            List<LatencyRun> requests = requestRuns.get(feature);
            List<StreamResult> streamed = streamRuns.get(feature);
            points.add(new FeaturePoint(feature, requests == null ? null : new Repeats<>(requests),
                    streamed == null ? null : new Repeats<>(streamed), counters.getOrDefault(feature, List.of())));
        }
        return points;
    }

    private static Map<String, Double> read(Feature feature) {
        return feature.counters() == null ? Map.of() : feature.counters().get();
    }

    /**
     * One repeat of the request features. Each one's window is cut into {@link #FEATURE_SLICES} slices taken in turn,
     * the order reversed on every other round (A B C, C B A, A B C, ...), each slice after a short warm-up of its own,
     * so that a machine whose speed drifts within the repeat (other tenants, frequency, a neighbour's cache) moves a
     * feature and its baseline alike. Run back to back in whole windows, the same features on a quiet machine gave
     * per-repeat ratios from 0.67× to 1.35×, which no goal of a few per cent can be judged by. The CPU charged is the
     * proxy's less its JIT compiler threads' ({@link ProcessStats#servingCpuSecondsSince}): the features compare
     * steady-state cost, and proxies started for a feature are still compiling in their first minute.
     */
    private void requestRepeat(List<Feature> order, int rate, Map<Feature, List<LatencyRun>> runs,
            Map<Feature, List<Map<String, Double>>> counters) {
        Duration slice = options.latencyDuration().dividedBy(FEATURE_SLICES);
        Duration sliceWarmup = options.warmup().dividedBy(FEATURE_SLICES);
        Map<Feature, LatencyRun> merged = new HashMap<>();
        Map<Feature, Map<String, Double>> deltas = new HashMap<>();
        Map<Feature, Long> elapsed = new HashMap<>();
        for (int round = 0; round < FEATURE_SLICES; round++) {
            List<Feature> turn = new ArrayList<>(order);
            if (round % 2 == 1) {
                Collections.reverse(turn);
            }
            for (Feature feature : turn) {
                generator.run(new OpenLoopPlan(feature.request(), options.latencyConnections(), rate, Duration.ZERO,
                        sliceWarmup));
                Map<String, Double> before = read(feature);
                ProcessStats process = feature.process();
                ProcessStats.CpuReading cpuBefore = process == null ? null : process.cpuReading();
                long started = System.nanoTime();
                OpenLoopResult result = generator.run(new OpenLoopPlan(feature.request(), options.latencyConnections(),
                        rate, Duration.ZERO, slice));
                elapsed.merge(feature, System.nanoTime() - started, Long::sum);
                Double serving = process == null || cpuBefore == null ? null
                        : process.servingCpuSecondsSince(cpuBefore);
                addDeltas(deltas.computeIfAbsent(feature, f -> new LinkedHashMap<>()), before, read(feature));
                merged.merge(feature, new LatencyRun(result, serving), LatencyRun::plus);
            }
        }
        for (Feature feature : order) {
            LatencyRun run = requireNonNull(merged.get(feature), "every feature ran");
            printRequests(feature, rate, run);
            runs.computeIfAbsent(feature, f -> new ArrayList<>()).add(run);
            counters.computeIfAbsent(feature, f -> new ArrayList<>())
                    .add(perSecond(deltas.getOrDefault(feature, Map.of()), elapsed.getOrDefault(feature, 1L)));
        }
    }

    private static void addDeltas(Map<String, Double> sums, Map<String, Double> before, Map<String, Double> after) {
        after.forEach((name, value) -> {
            Double was = before.get(name);
            if (was != null) {
                sums.merge(name, value - was, Double::sum);
            }
        });
    }

    private static Map<String, Double> perSecond(Map<String, Double> deltas, long elapsedNanos) {
        Map<String, Double> perSecond = new LinkedHashMap<>();
        deltas.forEach((name, delta) -> perSecond.put(name, delta / (elapsedNanos / 1e9)));
        return perSecond;
    }

    private void printRequests(Feature feature, int rate, LatencyRun run) {
        OpenLoopResult result = run.result();
        progress.printf(Locale.ROOT, "[feature] %s, %d req/s: p50 %.3f ms, %d ok, %d rate-limited, %d other errors, "
                        + "%d incomplete, %.3f CPU-s per 10k answered%n",
                feature.name(), rate, Percentiles.millis(result.latencyMicros(), 50), result.completed(),
                result.rateLimited(), result.errors() - result.rateLimited(), result.incomplete(),
                FeaturePoint.cpuSecondsPer10kAnswered(run));
    }

    private StreamResult featureStreams(Feature feature, int streams) {
        StreamResult result = generator.run(streamPlan(feature.request(), streams, options.warmup(),
                options.streamingDuration()));
        progress.printf(Locale.ROOT,
                "[feature] %s, %d streams: first chunk p50 %.3f ms, %d/%d unbuffered, %d errors; %s%n",
                feature.name(), streams, Percentiles.millis(result.firstEventMicros(), 50), result.unbuffered(),
                result.completed() + result.errors() + result.incomplete(), result.errors(),
                ReportWriter.chunkSummary(result));
        return result;
    }

    /** A stream plan for {@code request}, with the mock's default chunking and the shape its path answers in. */
    private StreamPlan streamPlan(RequestTemplate request, int streams, Duration warmup, Duration measure) {
        return new StreamPlan(request, StreamShape.of(request.path()), streams, options.streamChunks(),
                options.streamInterval(), warmup, measure);
    }

    /** Measures one point {@code repeat} times per target, in {@link Lineup#order} order. */
    private <R> Map<Target, Repeats<R>> repeat(Function<Target, R> measure) {
        Map<Target, List<R>> runs = new HashMap<>();
        for (int i = 0; i < options.repeat(); i++) {
            if (options.repeat() > 1) {
                progress.printf("[repeat %d/%d]%n", i + 1, options.repeat());
            }
            for (Target target : lineup.order(i)) {
                runs.computeIfAbsent(target, t -> new ArrayList<>()).add(measure.apply(target));
            }
        }
        Map<Target, Repeats<R>> repeats = new HashMap<>();
        runs.forEach((target, list) -> repeats.put(target, new Repeats<>(list)));
        return repeats;
    }

    // repeat() measures every target of the lineup, so direct and proxy are always there.
    private <R> Repeats<R> direct(Map<Target, Repeats<R>> runs) {
        return requireNonNull(runs.get(lineup.direct()), "direct runs");
    }

    private <R> Repeats<R> proxy(Map<Target, Repeats<R>> runs) {
        return requireNonNull(runs.get(lineup.proxy()), "proxy runs");
    }

    private <R> @Nullable Repeats<R> nginx(Map<Target, Repeats<R>> runs) {
        Target nginx = lineup.nginx();
        return nginx == null ? null : runs.get(nginx);
    }

    private void warmUp() {
        if (options.initialWarmup().isZero()) {
            return;
        }
        for (Target target : lineup.order(0)) {
            progress.printf("[warm-up] %s: closed loop %s, then open loop and streams%n", target.name(),
                    seconds(options.initialWarmup()));
            generator.run(new ClosedLoopPlan(target.chatRequest(), 32, Duration.ZERO, options.initialWarmup()));
            if (options.scenarios().contains(Scenario.LATENCY) && !options.rates().isEmpty()) {
                int rate = options.rates().stream().mapToInt(Integer::intValue).max().orElseThrow();
                generator.run(new OpenLoopPlan(target.chatRequest(), options.latencyConnections(), rate,
                        Duration.ZERO, half(options.initialWarmup())));
            }
            if (options.scenarios().contains(Scenario.STREAMING)) {
                generator.run(streamPlan(target.streamRequest(), WARMUP_STREAMS, Duration.ZERO,
                        half(options.initialWarmup())));
            }
        }
    }

    /** CPU is sampled around the measured run only: it covers connecting, the window and the drain, not the warm-up. */
    private ThroughputRun throughput(Target target, int connections) {
        generator.run(new ClosedLoopPlan(target.chatRequest(), connections, Duration.ZERO, options.warmup()));
        Double cpuBefore = cpu(target.process());
        ClosedLoopResult result = generator.run(
                new ClosedLoopPlan(target.chatRequest(), connections, Duration.ZERO, options.throughputDuration()));
        Double cpuAfter = cpu(target.process());
        ThroughputRun run = new ThroughputRun(result,
                cpuBefore == null || cpuAfter == null ? null : cpuAfter - cpuBefore);
        progress.printf(Locale.ROOT, "[throughput] %s, %d connections: %.0f req/s, %d errors%s%n", target.name(),
                connections, result.requestsPerSecond(), result.errors(), run.cpuSeconds() == null ? ""
                        : String.format(Locale.ROOT, ", %.3f CPU-s per 10k requests", run.cpuSecondsPer10k()));
        return run;
    }

    private LatencyRun latency(Target target, int rate) {
        LatencyRun run = openLoop(target.chatRequest(), target.process(), rate);
        OpenLoopResult result = run.result();
        progress.printf(Locale.ROOT, "[latency] %s, %d req/s: p50 %.3f ms, p99 %.3f ms, %d/%d completed%s%n",
                target.name(), rate, Percentiles.millis(result.latencyMicros(), 50),
                Percentiles.millis(result.latencyMicros(), 99), result.completed(), result.scheduled(),
                run.cpuSeconds() == null ? ""
                        : String.format(Locale.ROOT, ", %.3f CPU-s per 10k requests", run.cpuSecondsPer10k()));
        return run;
    }

    /** Like {@link #throughput}, CPU is sampled around the measured window only. */
    private LatencyRun openLoop(RequestTemplate request, @Nullable ProcessStats process, int rate) {
        generator.run(new OpenLoopPlan(request, options.latencyConnections(), rate, Duration.ZERO,
                options.warmup()));
        Double cpuBefore = cpu(process);
        OpenLoopResult result = generator.run(new OpenLoopPlan(request, options.latencyConnections(), rate,
                Duration.ZERO, options.latencyDuration()));
        Double cpuAfter = cpu(process);
        return new LatencyRun(result, cpuBefore == null || cpuAfter == null ? null : cpuAfter - cpuBefore);
    }

    private StreamResult streaming(Target target, int streams) {
        StreamResult result = generator.run(streamPlan(target.streamRequest(), streams, options.warmup(),
                options.streamingDuration()));
        progress.printf(Locale.ROOT,
                "[streaming] %s, %d streams: first chunk p50 %.3f ms, largest gap max %.3f ms, %d/%d unbuffered; "
                        + "%s%n",
                target.name(), streams, Percentiles.millis(result.firstEventMicros(), 50),
                Percentiles.maxMillis(result.largestGapMicros()), result.unbuffered(),
                result.completed() + result.errors() + result.incomplete(), ReportWriter.chunkSummary(result));
        return result;
    }

    private static @Nullable Double cpu(@Nullable ProcessStats process) {
        return process == null ? null : process.cpuSeconds();
    }

    private static Duration half(Duration duration) {
        Duration half = duration.dividedBy(2);
        return half.isZero() ? Duration.ofMillis(1) : half;
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() / 1000.0 + " s";
    }
}
