package dev.llmproxy.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.limiter.LocalLimitStore;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.config.ProxyConfig;
import dev.llmproxy.proxy.config.RouterSettings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each routing strategy's pick on a fake wall clock: least-busy, usage-based, latency-based (with its ttl and buffer,
 * and time to first token for streams), cost-based; and what holds whatever the strategy: limits, order, and
 * deployments out of rotation after a failed health check.
 */
class RoutingStrategiesTest {
    private static final long MINUTE = Instant.parse("2026-12-01T16:00:00Z").toEpochMilli();
    private static final String THREE = """
              - {model_name: g, litellm_params: {model: openai/a}, model_info: {id: a}}
              - {model_name: g, litellm_params: {model: openai/b}, model_info: {id: b}}
              - {model_name: g, litellm_params: {model: openai/c}, model_info: {id: c}}
            """;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(MINUTE + 15_000);
    private final SplittableRandom random = new SplittableRandom(7);
    private RoutingStats stats;
    private RouteTable table;
    private Router router;
    private ModelRoute route;

    @Test
    void shouldPickTheDeploymentWithFewestCallsInFlightWhenLeastBusy() throws IOException {
        start("least-busy", THREE);

        Lease first = router.acquire(route, null, random);
        Lease second = router.acquire(route, null, random);
        Lease third = router.acquire(route, null, random);

        assertThat(Set.of(id(first), id(second), id(third))).containsExactlyInAnyOrder("a", "b", "c");
        second.release(200, null);
        Lease fourth = router.acquire(route, null, random);
        assertThat(id(fourth)).as("the only one with no call in flight").isEqualTo(id(second));
        Lease fifth = router.acquire(route, null, random);
        assertThat(stats.byId(id(fifth)).inFlight()).isEqualTo(2);
        fifth.release(200, null);
        assertThat(stats.byId(id(fifth)).inFlight()).isEqualTo(1);
        for (Lease lease : new Lease[] {first, third, fourth}) {
            lease.release(200, null);
        }
        assertThat(stats.all()).allSatisfy(deployment -> assertThat(deployment.inFlight()).isZero());
    }

    @Test
    void shouldPickTheDeploymentWithFewestTokensThisMinuteWhenUsageBased() throws IOException {
        start("usage-based-routing-v2", THREE);

        chargeTo("a", 500);
        chargeTo("b", 100);
        chargeTo("c", 300);

        assertThat(id(router.acquire(route, null, random))).isEqualTo("b");
        clock.set(MINUTE + 60_000);
        assertThat(stats.byId("a").tokensThisMinute(clock.get())).as("a new minute starts at 0").isZero();
        Set<String> picked = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            picked.add(id(router.acquire(route, null, random)));
        }
        assertThat(picked).as("ties are broken by fewer requests, then at random").containsExactlyInAnyOrder(
                "a", "b", "c");
    }

    @Test
    void shouldTreatTheLegacyUsageBasedNameAsTheSameStrategy() throws IOException {
        start("usage-based-routing", THREE);

        chargeTo("a", 50);
        chargeTo("c", 50);

        assertThat(id(router.acquire(route, null, random))).isEqualTo("b");
    }

    @Test
    void shouldTryUnmeasuredDeploymentsFirstThenTheFastestWhenLatencyBased() throws IOException {
        start("latency-based-routing", THREE);
        stats.byId("a").recordLatency(100_000, -1, clock.get());
        stats.byId("b").recordLatency(50_000, -1, clock.get());

        assertThat(id(router.acquire(route, null, random))).as("c has no sample: 0").isEqualTo("c");
        stats.byId("c").recordLatency(200_000, -1, clock.get());
        for (int i = 0; i < 20; i++) {
            assertThat(id(router.acquire(route, null, random))).isEqualTo("b");
        }
    }

    @Test
    void shouldRankStreamsByTimeToFirstTokenWhenLatencyBased() throws IOException {
        start("latency-based-routing", THREE);
        stats.byId("a").recordLatency(900_000, 10_000, clock.get());
        stats.byId("b").recordLatency(100_000, 80_000, clock.get());
        stats.byId("c").recordLatency(500_000, 60_000, clock.get());

        assertThat(id(router.acquire(route, null, random, true))).isEqualTo("a");
        assertThat(id(router.acquire(route, null, random, false))).isEqualTo("b");
    }

    @Test
    void shouldForgetSamplesOlderThanTheTtlAndPickWithinTheBuffer() throws IOException {
        start("latency-based-routing", THREE, "  routing_strategy_args: {ttl: 60, lowest_latency_buffer: 1.0}\n");
        stats.byId("a").recordLatency(100_000, -1, clock.get());
        stats.byId("b").recordLatency(60_000, -1, clock.get());
        stats.byId("c").recordLatency(130_000, -1, clock.get());

        Set<String> picked = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            picked.add(id(router.acquire(route, null, random)));
        }
        assertThat(picked).as("within 60 µs × 2 of the fastest").containsExactlyInAnyOrder("a", "b");

        clock.addAndGet(59_000);
        stats.byId("a").recordLatency(300_000, -1, clock.get());
        stats.byId("c").recordLatency(250_000, -1, clock.get());
        clock.addAndGet(2_000);
        assertThat(id(router.acquire(route, null, random))).as("b's only sample is over 60 s old").isEqualTo("b");
    }

    @Test
    void shouldPickTheCheapestFirstAndTheNextOnlyWhenItIsAtItsLimitWhenCostBased() throws IOException {
        start("cost-based-routing", """
                  - {model_name: g, litellm_params: {model: openai/a, input_cost_per_token: 0.00001,
                                                      output_cost_per_token: 0.00003}, model_info: {id: a}}
                  - {model_name: g, litellm_params: {model: openai/b, rpm: 2},
                     model_info: {id: b, input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}}
                  - {model_name: g, litellm_params: {model: openai/c}, model_info: {id: c}}
                """);

        assertThat(id(router.acquire(route, null, random))).isEqualTo("b");
        assertThat(id(router.acquire(route, null, random))).isEqualTo("b");
        assertThat(id(router.acquire(route, null, random))).as("b is at rpm 2").isEqualTo("a");
        TriedDeployments tried = new TriedDeployments();
        tried.add(Objects.requireNonNull(table.deploymentFor("a")));
        assertThat(id(router.acquire(route, tried, random))).as("unpriced: 5.0 + 5.0 per token").isEqualTo("c");
    }

    @Test
    void shouldHonourOrderBeforeTheStrategy() throws IOException {
        start("cost-based-routing", """
                  - {model_name: g, litellm_params: {model: openai/a, order: 1, rpm: 1, input_cost_per_token: 1}}
                  - {model_name: g, litellm_params: {model: openai/b, order: 2, input_cost_per_token: 0}}
                """);

        assertThat(router.acquire(route, null, random).target().upstreamModel()).isEqualTo("a");
        assertThat(router.acquire(route, null, random).target().upstreamModel()).isEqualTo("b");
    }

    @Test
    void shouldKeepUnhealthyDeploymentsOutOfRotationUnlessNoneIsHealthy() throws IOException {
        for (String strategy : new String[] {"simple-shuffle", "least-busy", "usage-based-routing-v2",
                "latency-based-routing", "cost-based-routing"}) {
            start(strategy, THREE);
            stats.setHealthy(stats.byId("a"), false);
            stats.setHealthy(stats.byId("c"), false);

            for (int i = 0; i < 10; i++) {
                assertThat(id(router.acquire(route, null, random))).as(strategy).isEqualTo("b");
            }
            stats.setHealthy(stats.byId("b"), false);
            assertThat(router.acquire(route, null, random)).as(strategy + ": none healthy, all serve").isNotNull();
            stats.setHealthy(stats.byId("a"), true);
            assertThat(id(router.acquire(route, null, random))).as(strategy).isEqualTo("a");
        }
    }

    @Test
    void shouldAllocateNothingWhenPickingLeastBusyOrByLatency() throws IOException {
        for (String strategy : new String[] {"least-busy", "latency-based-routing"}) {
            start(strategy, THREE.replace("openai/a}", "openai/a, rpm: 1000000000}"));
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long thread = Thread.currentThread().getId();
            Usage usage = Usage.of(10, 5);
            long least = Long.MAX_VALUE;
            for (int round = 0; round < 8; round++) {
                long before = threads.getThreadAllocatedBytes(thread);
                for (int i = 0; i < 100_000; i++) {
                    router.acquire(route, null, random).release(200, usage);
                }
                least = Math.min(least, threads.getThreadAllocatedBytes(thread) - before);
            }
            assertThat(least).as(strategy + ": bytes allocated by 100 000 acquire/release pairs").isLessThan(256);
        }
    }

    private void chargeTo(String id, long tokens) {
        Lease lease;
        do {
            lease = router.acquire(route, null, random);
            if (!id(lease).equals(id)) {
                lease.release(200, null);
                lease = null;
            }
        } while (lease == null);
        lease.release(200, Usage.of(tokens, 0));
    }

    private static String id(Lease lease) {
        assertThat(lease).isNotNull();
        return lease.target().deployment().id();
    }

    private void start(String strategy, String models) throws IOException {
        start(strategy, models, "");
    }

    private void start(String strategy, String models, String moreRouterSettings) throws IOException {
        Path file = Files.createTempFile(dir, "config", ".yaml");
        Files.writeString(file, "model_list:\n" + models + "router_settings:\n  routing_strategy: " + strategy + "\n"
                + moreRouterSettings);
        ProxyConfig config = ConfigLoader.load(file, Map.of());
        RouterSettings settings = config.routerSettings();
        table = RouteTable.build(config);
        stats = new RoutingStats(table, clock::get);
        router = new LimitingRouter(table, LocalLimitStore.INSTANCE, clock::get, settings.routingStrategy(),
                settings.strategyArgs(), stats);
        route = table.resolve("g");
    }
}
