package dev.llmproxy.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.limiter.LocalLimitStore;
import dev.llmproxy.proxy.config.CapacityWait;
import dev.llmproxy.proxy.config.ConfigLoader;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Waiting for capacity on an embedded event loop with fake time: first come first served, the queue bound, expiry
 * with the router's retry-after, and cancellation.
 */
class WaitingRouterTest {
    private static final long MINUTE = Instant.parse("2026-12-01T16:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    /** One second before the minute ends: a full rpm frees up in 1 s. */
    private final AtomicLong clock = new AtomicLong(MINUTE + 59_000);
    private final SplittableRandom random = new SplittableRandom(3);
    private final EmbeddedChannel loop = new EmbeddedChannel();
    private Router router;
    private ModelRoute route;

    @BeforeEach
    void setUp() throws IOException {
        loop.freezeTime();
        Path file = Files.createTempFile(dir, "config", ".yaml");
        Files.writeString(file, "model_list:\n  - {model_name: g, litellm_params: {model: openai/a, rpm: 1}}\n");
        RouteTable table = RouteTable.build(ConfigLoader.load(file, Map.of()));
        router = new WaitingRouter(new LimitingRouter(table, LocalLimitStore.INSTANCE, clock::get),
                new CapacityWait(Duration.ofSeconds(5), 2), () -> random);
        route = table.resolve("g");
    }

    @AfterEach
    void tearDown() {
        loop.finishAndReleaseAll();
    }

    @Test
    void shouldGrantWaitersInArrivalOrderWhenCapacityFreesUpAndKeepNewcomersBehindThem() {
        assertThat(router.acquire(route, null, random)).isNotNull();
        assertThat(router.acquire(route, null, random)).isNull();
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        assertThat(router.await(route, false, first)).isNotNull();
        assertThat(router.await(route, false, second)).isNotNull();

        clock.addAndGet(1_000);
        assertThat(router.acquire(route, null, random)).as("the minute has room, but two calls wait for it").isNull();
        assertThat(router.await(route, false, new Recorder())).as("the queue holds 2").isNull();
        advance(1_000);

        assertThat(first.granted).isNotNull();
        assertThat(second.granted).as("first took the minute's one request").isNull();
        advance(4_000);
        assertThat(second.granted).isNull();
        assertThat(second.expiredRetryAfterMillis).as("its 5 s are up; the next minute starts in 60 s")
                .isEqualTo(60_000);
    }

    @Test
    void shouldExpireAWaiterWithTheRouterRetryAfterWhenNoCapacityFreesUpInTime() {
        clock.set(MINUTE + 57_000);
        assertThat(router.acquire(route, null, random)).isNotNull();
        Recorder waiter = new Recorder();
        assertThat(router.await(route, false, waiter)).isNotNull();

        advance(2_999);
        assertThat(waiter.expiredRetryAfterMillis).isEqualTo(-1);
        advance(2_001);

        assertThat(waiter.granted).isNull();
        assertThat(waiter.expiredRetryAfterMillis).as("the minute still has 3 s to run on the frozen clock")
                .isEqualTo(3_000);
        assertThat(router.acquire(route, null, random)).as("nobody waits any more").isNull();
        clock.addAndGet(3_000);
        assertThat(router.acquire(route, null, random)).isNotNull();
    }

    @Test
    void shouldRefuseToQueueWhenCapacityFreesUpOnlyAfterTheLongestWait() {
        clock.set(MINUTE + 10_000);
        assertThat(router.acquire(route, null, random)).isNotNull();

        assertThat(router.await(route, false, new Recorder())).as("50 s away, the wait is at most 5 s").isNull();
    }

    @Test
    void shouldNeitherGrantNorExpireACancelledWaiterAndLetNewcomersThrough() {
        assertThat(router.acquire(route, null, random)).isNotNull();
        Recorder waiter = new Recorder();
        CapacityWaiter.Ticket ticket = router.await(route, false, waiter);
        assertThat(ticket).isNotNull();

        ticket.cancel();
        clock.addAndGet(1_000);
        advance(10_000);

        assertThat(waiter.granted).isNull();
        assertThat(waiter.expiredRetryAfterMillis).isEqualTo(-1);
        assertThat(router.acquire(route, null, random)).isNotNull();
    }

    @Test
    void shouldHandAFreedParallelSlotToTheFirstWaiterAtOnce() throws IOException {
        Path file = Files.createTempFile(dir, "parallel", ".yaml");
        Files.writeString(file, "model_list:\n  - {model_name: p, litellm_params: {model: openai/p, "
                + "max_parallel_requests: 1}}\n");
        RouteTable table = RouteTable.build(ConfigLoader.load(file, Map.of()));
        Router parallel = new WaitingRouter(new LimitingRouter(table, LocalLimitStore.INSTANCE, clock::get),
                new CapacityWait(Duration.ofSeconds(5), 2), () -> random);
        ModelRoute group = table.resolve("p");
        Lease running = parallel.acquire(group, null, random);
        assertThat(running).isNotNull();
        Recorder waiter = new Recorder();
        assertThat(parallel.await(group, false, waiter)).isNotNull();

        running.release(200, null);
        loop.runPendingTasks();

        assertThat(waiter.granted).as("granted before the 1 s poll of a parallel limit").isNotNull();
        assertThat(parallel.acquire(group, null, random)).as("the waiter holds the slot").isNull();
        waiter.granted.release(200, null);
        assertThat(parallel.acquire(group, null, random)).isNotNull();
    }

    private void advance(long millis) {
        loop.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        loop.runPendingTasks();
        loop.runScheduledPendingTasks();
        loop.runPendingTasks();
    }

    /** Records what the router called back. */
    private final class Recorder implements CapacityWaiter {
        @Nullable Lease granted;
        long expiredRetryAfterMillis = -1;

        @Override
        public EventExecutor executor() {
            return loop.eventLoop();
        }

        @Override
        public void granted(Lease lease) {
            granted = lease;
        }

        @Override
        public void expired(long retryAfterMillis) {
            expiredRetryAfterMillis = retryAfterMillis;
        }
    }
}
