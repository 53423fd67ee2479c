package dev.llmproxy.bench.jmh;

import dev.llmproxy.limiter.LimitSet;
import dev.llmproxy.limiter.LimitSpec;
import dev.llmproxy.limiter.LocalLimitSet;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Cost of admitting a call to one deployment's limit set and releasing it, on one thread and with every thread on the
 * same set, and of a refusal. The limits are high enough never to bite within one iteration (except in
 * {@link #refuse}); each iteration runs a day later than the one before, so the window rolls once per iteration and
 * never during one. One op = one admission and one release (or one refusal).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LocalLimitSetBenchmark {
    private static final long START = Instant.parse("2026-12-01T16:00:30Z").toEpochMilli();

    /** {@code rpm}: requests per minute only; {@code all}: rpm, tpm, rpd and max_parallel_requests together. */
    @Param({"rpm", "all"})
    public String limits;

    private LimitSet set;
    private LimitSet full;
    private long now = START;
    private final AtomicLong word = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() {
        // "all": 28 + 28 + 7 bits; 134 million calls per minute and per day, more than an iteration makes.
        set = new LocalLimitSet("rpm".equals(limits)
                ? new LimitSpec(1L << 40, LimitSpec.NONE, LimitSpec.NONE, LimitSpec.NONE, ZoneOffset.UTC)
                : new LimitSpec(1L << 27, Long.MAX_VALUE, 1L << 27, 64, ZoneOffset.UTC));
        full = new LocalLimitSet(new LimitSpec(0, LimitSpec.NONE, LimitSpec.NONE, LimitSpec.NONE, ZoneOffset.UTC));
    }

    @Setup(Level.Iteration)
    public void nextDay() {
        now += TimeUnit.DAYS.toMillis(1);
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

    /** The floor: one uncontended compare-and-set on a shared word (admitAndRelease with "rpm" does one). */
    @Benchmark
    public long baselineCas() {
        return word.incrementAndGet();
    }

    @Benchmark
    public long refuse() {
        return full.tryAcquire(now);
    }

    private long cycle() {
        long outcome = set.tryAcquire(now);
        if (outcome == LimitSet.ADMITTED) {
            set.release(now, 25);
        }
        return outcome;
    }
}
