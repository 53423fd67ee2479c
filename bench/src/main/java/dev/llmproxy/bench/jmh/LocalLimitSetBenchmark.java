package dev.llmproxy.bench.jmh;

import dev.llmproxy.limiter.LimitSet;
import dev.llmproxy.limiter.LimitSpec;
import dev.llmproxy.limiter.LocalLimitSet;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Cost of admitting a call to one deployment's limit set and releasing it, on one thread and with every thread on the
 * same set, and of a refusal. The limits are high enough never to bite (except in {@link #refuse}); the time stays in
 * one minute, so no window rolls. One op = one admission and one release (or one refusal).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LocalLimitSetBenchmark {
    private static final long NOW = Instant.parse("2026-12-01T16:00:30Z").toEpochMilli();

    /** {@code rpm}: requests per minute only; {@code all}: rpm, tpm, rpd and max_parallel_requests together. */
    @Param({"rpm", "all"})
    public String limits;

    private LimitSet set;
    private LimitSet full;

    @Setup
    public void setUp() {
        long many = 1L << 40;
        set = new LocalLimitSet("rpm".equals(limits)
                ? new LimitSpec(many, LimitSpec.NONE, LimitSpec.NONE, LimitSpec.NONE, ZoneOffset.UTC)
                : new LimitSpec(1L << 30, Long.MAX_VALUE, 1L << 30, 1 << 10, ZoneOffset.UTC));
        full = new LocalLimitSet(new LimitSpec(0, LimitSpec.NONE, LimitSpec.NONE, LimitSpec.NONE, ZoneOffset.UTC));
    }

    @Benchmark
    public long admitAndRelease() {
        return cycle();
    }

    @Benchmark
    @Threads(2)
    public long admitAndReleaseContended() {
        return cycle();
    }

    @Benchmark
    public long refuse() {
        return full.tryAcquire(NOW);
    }

    private long cycle() {
        long outcome = set.tryAcquire(NOW);
        if (outcome == LimitSet.ADMITTED) {
            set.release(NOW, 25);
        }
        return outcome;
    }
}
