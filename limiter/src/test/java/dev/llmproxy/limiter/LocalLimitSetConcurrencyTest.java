package dev.llmproxy.limiter;

import static dev.llmproxy.limiter.LimitSpec.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Many threads racing for the same limits: exactly the limit wins, in every window, and no more run at once. */
class LocalLimitSetConcurrencyTest {
    private static final int THREADS = 8;
    private static final long MINUTE = Instant.parse("2026-12-01T16:00:00Z").toEpochMilli();

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @RepeatedTest(5)
    void shouldAdmitExactlyTheLimitWhenManyThreadsRaceForOneMinute() throws Exception {
        int limit = 1000;
        LimitSet set = new LocalLimitSet(new LimitSpec(limit, NONE, NONE, NONE, ZoneOffset.UTC));
        AtomicInteger admitted = new AtomicInteger();

        race(() -> {
            for (int i = 0; i < 500; i++) {
                if (set.tryAcquire(MINUTE + i) == LimitSet.ADMITTED) {
                    admitted.incrementAndGet();
                }
            }
        });

        assertThat(admitted.get()).isEqualTo(limit);
        assertThat(set.retryAfterMillis(MINUTE + 500)).isEqualTo(60_000 - 500);
    }

    @RepeatedTest(5)
    void shouldAdmitExactlyTheLimitInEveryWindowWhileTheWindowRolls() throws Exception {
        int rpm = 25;
        // As many slots as threads: a parallel limit that can bind would let a thread descheduled while holding a
        // slot (a loaded machine) keep the others out while the clock runs through a whole window, and the count
        // would be short for a reason that is not the limiter's; the parallel limit has its own test below.
        int parallel = THREADS;
        int minutes = 4;
        LimitSet set = new LocalLimitSet(new LimitSpec(rpm, 1_000_000, 10_000, parallel, ZoneOffset.UTC));
        // Every operation reads the next millisecond: the threads cross three minute boundaries together.
        AtomicLong clock = new AtomicLong(MINUTE);
        long end = MINUTE + minutes * 60_000L;
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();

        race(() -> {
            for (long now = clock.getAndIncrement(); now < end; now = clock.getAndIncrement()) {
                if (set.tryAcquire(now) != LimitSet.ADMITTED) {
                    continue;
                }
                admitted.incrementAndGet();
                int running = inFlight.incrementAndGet();
                mostInFlight.accumulateAndGet(running, Math::max);
                inFlight.decrementAndGet();
                // Released at the admission's time: a later reading could lie past the end and roll the set into a
                // fifth minute, where admissions still carrying last-minute times would be counted (by design, a
                // time behind the current window counts in it), beyond the four minutes this test adds up.
                set.release(now, 1);
            }
        });

        assertThat(admitted.get()).as("rpm %d over %d minutes", rpm, minutes).isEqualTo(rpm * minutes);
        assertThat(mostInFlight.get()).isPositive();
        assertThat(set.retryAfterMillis(end)).isZero();
    }

    @Test
    void shouldNeverExceedTheParallelLimitWhenThreadsHoldCallsConcurrently() throws Exception {
        int parallel = 2;
        LimitSet set = new LocalLimitSet(new LimitSpec(NONE, NONE, NONE, parallel, ZoneOffset.UTC));
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        AtomicInteger admitted = new AtomicInteger();

        race(() -> {
            for (int i = 0; i < 20_000; i++) {
                if (set.tryAcquire(MINUTE) == LimitSet.ADMITTED) {
                    admitted.incrementAndGet();
                    mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    Thread.onSpinWait();
                    inFlight.decrementAndGet();
                    set.release(MINUTE, 0);
                }
            }
        });

        assertThat(mostInFlight.get()).isBetween(1, parallel);
        assertThat(admitted.get()).isPositive();
        for (int i = 0; i < parallel; i++) {
            assertThat(set.tryAcquire(MINUTE)).as("every slot came back").isEqualTo(LimitSet.ADMITTED);
        }
        assertThat(set.tryAcquire(MINUTE)).isEqualTo(LimitSet.PARALLEL_RETRY_MILLIS);
    }

    /** Runs {@code task} on every thread at once and waits for all; rethrows the first failure. */
    private void race(Runnable task) throws Exception {
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            futures.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                task.run();
                return null;
            }));
        }
        assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
        go.countDown();
        for (Future<?> future : futures) {
            future.get(30, TimeUnit.SECONDS);
        }
    }
}
