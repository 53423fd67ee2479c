package dev.llmproxy.limiter;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * Admission, release and refusal allocate nothing, measured with the JVM's per-thread allocation counter (JMH's
 * {@code LocalLimitSetBenchmark} in bench gives the same figure as {@code gc.alloc.rate.norm}).
 */
class LocalLimitSetAllocationTest {
    private static final long MINUTE = Instant.parse("2026-12-01T16:00:00Z").toEpochMilli();
    private static final int CALLS = 100_000;

    @Test
    void shouldAllocateNothingWhenAdmittingReleasingAndRefusing() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        LimitSet set = new LocalLimitSet(new LimitSpec(10_000_000, Long.MAX_VALUE, 10_000_000, 4, ZoneOffset.UTC));
        long id = Thread.currentThread().getId();
        long outcome = 0;

        // The least of a few rounds: the JIT may allocate while it compiles or deoptimizes during one of them, but a
        // single byte per call would show as hundreds of kilobytes in every round.
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 8; round++) {
            long before = threads.getThreadAllocatedBytes(id);
            outcome += run(set, CALLS);
            least = Math.min(least, threads.getThreadAllocatedBytes(id) - before);
        }

        assertThat(least).as("bytes allocated by %d admissions, releases and refusals", CALLS).isLessThan(256);
        assertThat(outcome).isPositive();
    }

    /** Admits, refuses (parallel limit) and releases, all in one minute; answers a sum so nothing is dead code. */
    private static long run(LimitSet set, int calls) {
        long sum = 0;
        for (int i = 0; i < calls; i++) {
            sum += set.tryAcquire(MINUTE + 1);
            sum += set.tryAcquire(MINUTE + 1);
            sum += set.tryAcquire(MINUTE + 1);
            sum += set.tryAcquire(MINUTE + 1);
            sum += set.tryAcquire(MINUTE + 1);
            for (int j = 0; j < 4; j++) {
                set.release(MINUTE + 2, 3);
            }
            sum += set.retryAfterMillis(MINUTE + 2);
        }
        return sum;
    }
}
