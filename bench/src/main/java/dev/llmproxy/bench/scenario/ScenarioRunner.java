package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.bench.load.ClosedLoopPlan;
import dev.llmproxy.bench.load.ClosedLoopResult;
import dev.llmproxy.bench.load.LoadGenerator;
import dev.llmproxy.bench.load.OpenLoopPlan;
import dev.llmproxy.bench.load.OpenLoopResult;
import dev.llmproxy.bench.load.ProcessStats;
import dev.llmproxy.bench.load.StreamPlan;
import dev.llmproxy.bench.load.StreamResult;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Runs the selected scenarios against the direct target and the proxy target, one right after the other for every
 * point (direct first), each after its own warm-up, so both see the same machine state.
 *
 * <p>Thread-safety: not thread-safe; {@link #run()} blocks the calling thread for the whole benchmark.
 */
public final class ScenarioRunner {

    private static final int WARMUP_STREAMS = 32;

    private final LoadGenerator generator;
    private final Target direct;
    private final Target proxy;
    private final @Nullable ProcessStats proxyStats;
    private final ScenarioOptions options;
    private final PrintStream progress;

    /**
     * Creates a runner.
     *
     * @param proxyStats the proxy process, for CPU time; null when it is not known (an external proxy)
     * @param progress where one line per run is printed
     */
    public ScenarioRunner(LoadGenerator generator, Target direct, Target proxy, @Nullable ProcessStats proxyStats,
            ScenarioOptions options, PrintStream progress) {
        this.generator = requireNonNull(generator, "generator");
        this.direct = requireNonNull(direct, "direct");
        this.proxy = requireNonNull(proxy, "proxy");
        this.proxyStats = proxyStats;
        this.options = requireNonNull(options, "options");
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
                throughput.add(throughput(connections));
            }
        }
        if (options.scenarios().contains(Scenario.LATENCY)) {
            for (int rate : options.rates()) {
                latency.add(new LatencyPoint(rate, latency(direct, rate), latency(proxy, rate)));
            }
        }
        if (options.scenarios().contains(Scenario.STREAMING)) {
            for (int streams : options.streams()) {
                streaming.add(new StreamingPoint(streams, streaming(direct, streams), streaming(proxy, streams)));
            }
        }
        return new ScenarioResults(throughput, latency, streaming);
    }

    private void warmUp() {
        if (options.initialWarmup().isZero()) {
            return;
        }
        for (Target target : List.of(direct, proxy)) {
            progress.printf("[warm-up] %s: closed loop %s, then open loop and streams%n", target.name(),
                    seconds(options.initialWarmup()));
            generator.run(new ClosedLoopPlan(target.chatRequest(), 32, Duration.ZERO, options.initialWarmup()));
            if (options.scenarios().contains(Scenario.LATENCY) && !options.rates().isEmpty()) {
                int rate = options.rates().stream().mapToInt(Integer::intValue).max().orElseThrow();
                generator.run(new OpenLoopPlan(target.chatRequest(), options.latencyConnections(), rate,
                        Duration.ZERO, half(options.initialWarmup())));
            }
            if (options.scenarios().contains(Scenario.STREAMING)) {
                generator.run(new StreamPlan(target.streamRequest(), WARMUP_STREAMS, options.streamChunks(),
                        options.streamInterval(), Duration.ZERO, half(options.initialWarmup())));
            }
        }
    }

    private ThroughputPoint throughput(int connections) {
        ClosedLoopResult directResult = closedLoop(direct, connections);
        warmUpClosedLoop(proxy, connections);
        Double cpuBefore = proxyCpu();
        ClosedLoopResult proxyResult = measureClosedLoop(proxy, connections);
        Double cpuAfter = proxyCpu();
        Double cpu = cpuBefore == null || cpuAfter == null ? null : cpuAfter - cpuBefore;
        ThroughputPoint point = new ThroughputPoint(connections, directResult, proxyResult, cpu);
        if (point.proxyCpuSecondsPer10k() != null) {
            progress.printf(Locale.ROOT, "[throughput] proxy CPU: %.3f s per 10k requests%n",
                    point.proxyCpuSecondsPer10k());
        }
        return point;
    }

    private ClosedLoopResult closedLoop(Target target, int connections) {
        warmUpClosedLoop(target, connections);
        return measureClosedLoop(target, connections);
    }

    private void warmUpClosedLoop(Target target, int connections) {
        generator.run(new ClosedLoopPlan(target.chatRequest(), connections, Duration.ZERO, options.warmup()));
    }

    /** CPU is sampled around this call only: it covers connecting, the window and the drain, not the warm-up. */
    private ClosedLoopResult measureClosedLoop(Target target, int connections) {
        ClosedLoopResult result = generator.run(
                new ClosedLoopPlan(target.chatRequest(), connections, Duration.ZERO, options.throughputDuration()));
        progress.printf(Locale.ROOT, "[throughput] %s, %d connections: %.0f req/s, %d errors%n", target.name(),
                connections, result.requestsPerSecond(), result.errors());
        return result;
    }

    private OpenLoopResult latency(Target target, int rate) {
        OpenLoopResult result = generator.run(new OpenLoopPlan(target.chatRequest(), options.latencyConnections(),
                rate, options.warmup(), options.latencyDuration()));
        progress.printf(Locale.ROOT, "[latency] %s, %d req/s: p50 %.3f ms, p99 %.3f ms, %d/%d completed%n",
                target.name(), rate, Percentiles.millis(result.latencyMicros(), 50),
                Percentiles.millis(result.latencyMicros(), 99), result.completed(), result.scheduled());
        return result;
    }

    private StreamResult streaming(Target target, int streams) {
        StreamResult result = generator.run(new StreamPlan(target.streamRequest(), streams, options.streamChunks(),
                options.streamInterval(), options.warmup(), options.streamingDuration()));
        progress.printf(Locale.ROOT,
                "[streaming] %s, %d streams: first chunk p50 %.3f ms, largest gap max %.3f ms, %d/%d unbuffered%n",
                target.name(), streams, Percentiles.millis(result.firstEventMicros(), 50),
                Percentiles.maxMillis(result.largestGapMicros()), result.unbuffered(),
                result.completed() + result.errors() + result.incomplete());
        return result;
    }

    private @Nullable Double proxyCpu() {
        return proxyStats == null ? null : proxyStats.cpuSeconds();
    }

    private static Duration half(Duration duration) {
        Duration half = duration.dividedBy(2);
        return half.isZero() ? Duration.ofMillis(1) : half;
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() / 1000.0 + " s";
    }
}
