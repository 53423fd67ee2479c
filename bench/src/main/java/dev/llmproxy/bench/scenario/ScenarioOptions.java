package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What the runner measures and for how long.
 *
 * @param scenarios the scenario families to run
 * @param connections closed-loop connection counts (throughput)
 * @param rates open-loop request rates per second (latency)
 * @param latencyConnections most concurrent requests in an open-loop run
 * @param streams concurrent stream counts (streaming)
 * @param streamChunks content chunks per stream (the mock's default, so requests carry no mock_* fields)
 * @param streamInterval upstream pause between chunks
 * @param initialWarmup warm-up of both targets before the first scenario (JIT, pools)
 * @param warmup warm-up before each measurement
 * @param throughputDuration measurement window of one throughput run
 * @param latencyDuration measurement window of one latency run
 * @param streamingDuration measurement window of one streaming run
 * @param repeat how many times each point is measured (per target), alternating the target order
 */
public record ScenarioOptions(
        Set<Scenario> scenarios,
        List<Integer> connections,
        List<Integer> rates,
        int latencyConnections,
        List<Integer> streams,
        int streamChunks,
        Duration streamInterval,
        Duration initialWarmup,
        Duration warmup,
        Duration throughputDuration,
        Duration latencyDuration,
        Duration streamingDuration,
        int repeat) {

    /** What a run measures unless told: {@link Scenario#FEATURES} starts more processes and needs PostgreSQL. */
    static final Set<Scenario> DEFAULT_SCENARIOS =
            EnumSet.of(Scenario.THROUGHPUT, Scenario.LATENCY, Scenario.STREAMING);

    /** Copies the collections; throws {@link NullPointerException} on a missing value. */
    public ScenarioOptions {
        scenarios = scenarios.isEmpty() ? EnumSet.noneOf(Scenario.class) : EnumSet.copyOf(scenarios);
        connections = List.copyOf(connections);
        rates = List.copyOf(rates);
        streams = List.copyOf(streams);
        requireNonNull(streamInterval, "streamInterval");
        requireNonNull(initialWarmup, "initialWarmup");
        requireNonNull(warmup, "warmup");
        requireNonNull(throughputDuration, "throughputDuration");
        requireNonNull(latencyDuration, "latencyDuration");
        requireNonNull(streamingDuration, "streamingDuration");
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat: " + repeat + " (expected: >= 1)");
        }
    }

    /**
     * The full run (about 5 minutes with nginx): 32/128 connections 10 s, 200/2,000 req/s 12 s, 1/300 streams 10 s.
     */
    public static ScenarioOptions full() {
        return new ScenarioOptions(DEFAULT_SCENARIOS, List.of(32, 128), List.of(200, 2_000), 64,
                List.of(1, 300), 20, Duration.ofMillis(20), Duration.ofSeconds(10), Duration.ofSeconds(3),
                Duration.ofSeconds(10), Duration.ofSeconds(12), Duration.ofSeconds(10), 1);
    }

    /** The smoke run (about 1.5 minutes with nginx): the same points with short windows. */
    public static ScenarioOptions quick() {
        return new ScenarioOptions(DEFAULT_SCENARIOS, List.of(32, 128), List.of(200, 2_000), 64,
                List.of(1, 300), 20, Duration.ofMillis(20), Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(3), 1);
    }
}
