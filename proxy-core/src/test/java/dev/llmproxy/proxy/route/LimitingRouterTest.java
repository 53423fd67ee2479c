package dev.llmproxy.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.limiter.LocalLimitStore;
import dev.llmproxy.proxy.config.ConfigLoader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Picking deployments under their limits: skipping the full ones, order levels, leases, and the wait when none is. */
class LimitingRouterTest {
    private static final long MINUTE = Instant.parse("2026-12-01T16:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(MINUTE + 15_000);
    private final SplittableRandom random = new SplittableRandom(11);

    @Test
    void shouldSkipDeploymentsAtTheirLimitAndAnswerNullWhenEveryOneIs() throws IOException {
        RouteTable table = table("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a, rpm: 2}, model_info: {id: a}}
                  - {model_name: g, litellm_params: {model: openai/b, rpm: 1}, model_info: {id: b}}
                """);
        LimitingRouter router = router(table);
        ModelRoute route = table.resolve("g");

        Map<String, Integer> picks = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            picks.merge(router.acquire(route, null, random).target().deployment().id(), 1, Integer::sum);
        }

        assertThat(picks).containsExactlyInAnyOrderEntriesOf(Map.of("a", 2, "b", 1));
        assertThat(router.acquire(route, null, random)).isNull();
        assertThat(router.retryAfterMillis(route)).isEqualTo(45_000);
        clock.set(MINUTE + 60_000);
        assertThat(router.retryAfterMillis(route)).isZero();
        assertThat(router.acquire(route, null, random)).isNotNull();
    }

    @Test
    void shouldUseAHigherOrderOnlyWhenEveryLowerOneIsAtItsLimitOrTried() throws IOException {
        RouteTable table = table("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/c, order: 3}, model_info: {id: c}}
                  - {model_name: g, litellm_params: {model: openai/a, order: 1, rpm: 2}, model_info: {id: a}}
                  - {model_name: g, litellm_params: {model: openai/b, order: 2, rpm: 1}, model_info: {id: b}}
                """);
        LimitingRouter router = router(table);
        ModelRoute route = table.resolve("g");

        assertThat(id(router.acquire(route, null, random))).isEqualTo("a");
        TriedDeployments tried = new TriedDeployments();
        tried.add(table.deploymentFor("a"));
        assertThat(id(router.acquire(route, tried, random))).as("a was tried").isEqualTo("b");
        assertThat(id(router.acquire(route, null, random))).isEqualTo("a");
        assertThat(id(router.acquire(route, null, random))).as("a at rpm 2, b at rpm 1").isEqualTo("c");
        assertThat(id(router.acquire(route, null, random))).as("c has no limit").isEqualTo("c");
    }

    @Test
    void shouldGiveTheParallelSlotBackAndChargeTokensWhenTheLeaseIsReleased() throws IOException {
        RouteTable table = table("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a, tpm: 100, max_parallel_requests: 1}}
                """);
        LimitingRouter router = router(table);
        ModelRoute route = table.resolve("g");

        Lease first = router.acquire(route, null, random);
        assertThat(first).isNotNull();
        assertThat(router.acquire(route, null, random)).isNull();
        assertThat(router.retryAfterMillis(route)).isEqualTo(1_000);
        first.release(200, Usage.of(30, 20));
        Lease second = router.acquire(route, null, random);
        assertThat(second).as("50 of 100 tokens").isNotNull();
        second.release(200, Usage.of(40, 10));

        assertThat(router.acquire(route, null, random)).as("100 of 100 tokens").isNull();
        assertThat(router.retryAfterMillis(route)).isEqualTo(45_000);
    }

    @Test
    void shouldChargeNothingWhenTheProviderReportedNoUsage() throws IOException {
        RouteTable table = table("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a, tpm: 1}}
                """);
        LimitingRouter router = router(table);
        ModelRoute route = table.resolve("g");

        for (int i = 0; i < 5; i++) {
            router.acquire(route, null, random).release(499, null);
        }
        router.acquire(route, null, random).release(200, Usage.of(1, 0));

        assertThat(router.acquire(route, null, random)).isNull();
    }

    @Test
    void shouldPickAsSimpleShuffleDoesWhenNoDeploymentHasLimitsOrOrder() throws IOException {
        RouteTable table = table("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a, weight: 1}, model_info: {id: a}}
                  - {model_name: g, litellm_params: {model: openai/b, weight: 3}, model_info: {id: b}}
                """);
        LimitingRouter router = router(table);
        ModelRoute route = table.resolve("g");
        SplittableRandom same = new SplittableRandom(11);

        for (int i = 0; i < 200; i++) {
            Lease lease = router.acquire(route, null, random);
            assertThat(lease).isSameAs(SimpleShuffleRouter.INSTANCE.acquire(route, null, same));
        }
        assertThat(router.retryAfterMillis(route)).isZero();
    }

    @Test
    void shouldAdmitExactlyTheSumOfTheLimitsWhenTheGroupHasMoreThan64Deployments() throws IOException {
        StringBuilder yaml = new StringBuilder("model_list:\n");
        for (int i = 0; i < 70; i++) {
            yaml.append("  - {model_name: g, litellm_params: {model: openai/m").append(i)
                    .append(", rpm: 2}, model_info: {id: d").append(i).append("}}\n");
        }
        RouteTable table = table(yaml.toString());
        LimitingRouter router = router(table);
        ModelRoute route = table.resolve("g");

        int admitted = 0;
        while (router.acquire(route, null, random) != null) {
            admitted++;
        }

        assertThat(admitted).isEqualTo(140);
    }

    @Test
    void shouldLimitAWildcardDeploymentAcrossTheModelsItServes() throws IOException {
        RouteTable table = table("""
                model_list:
                  - {model_name: "openai/*", litellm_params: {model: "openai/*", rpm: 2}}
                  - {model_name: "*", litellm_params: {model: "*", rpm: 3}}
                """);
        LimitingRouter router = router(table);

        assertThat(router.acquire(table.resolve("openai/x"), null, random).target().upstreamModel()).isEqualTo("x");
        assertThat(router.acquire(table.resolve("openai/y"), null, random)).isNotNull();
        assertThat(router.acquire(table.resolve("openai/z"), null, random)).isNull();
        assertThat(router.retryAfterMillis(table.resolve("openai/z"))).isEqualTo(45_000);

        // One "*" entry is one deployment, whichever provider a request names: its rpm is shared.
        assertThat(router.acquire(table.resolve("groq/llama"), null, random).target().upstreamModel())
                .isEqualTo("llama");
        assertThat(router.acquire(table.resolve("mistral/small"), null, random)).isNotNull();
        assertThat(router.acquire(table.resolve("deepseek/chat"), null, random)).isNotNull();
        assertThat(router.acquire(table.resolve("groq/other"), null, random)).isNull();
    }

    @Test
    void shouldAdmitWithoutLimitsADeploymentItWasNotBuiltFor() throws IOException {
        RouteTable table = table("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a, rpm: 1}}
                """);
        RouteTable other = table("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a, rpm: 1}}
                """);
        LimitingRouter router = router(table);

        for (int i = 0; i < 3; i++) {
            assertThat(router.acquire(other.resolve("g"), null, random)).isNotNull();
        }
    }

    @Test
    void shouldAllocateNothingWhenAcquiringAndReleasingFixedTargets() throws IOException {
        RouteTable table = table("""
                model_list:
                  - {model_name: plain, litellm_params: {model: openai/p}}
                  - {model_name: plain, litellm_params: {model: openai/q}}
                  - {model_name: g, litellm_params: {model: openai/a, rpm: 1000000000, max_parallel_requests: 8}}
                  - {model_name: g, litellm_params: {model: openai/b, tpm: 1000000000000, order: 1}}
                  - {model_name: g, litellm_params: {model: openai/c, rpm: 0}}
                """);
        LimitingRouter router = router(table);
        ModelRoute plain = table.resolve("plain");
        ModelRoute limited = table.resolve("g");
        Usage usage = Usage.of(10, 5);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();

        // The least of a few rounds: the JIT may allocate while it compiles or deoptimizes during one of them, but a
        // single byte per acquisition would show as 200 000 bytes in every round.
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 8; round++) {
            long before = threads.getThreadAllocatedBytes(id);
            cycle(router, plain, limited, usage, 100_000);
            least = Math.min(least, threads.getThreadAllocatedBytes(id) - before);
        }

        assertThat(least).as("bytes allocated by 100 000 acquire/release pairs on each route").isLessThan(256);
    }

    private void cycle(LimitingRouter router, ModelRoute plain, ModelRoute limited, Usage usage, int times) {
        for (int i = 0; i < times; i++) {
            router.acquire(plain, null, random).release(200, usage);
            router.acquire(limited, null, random).release(200, usage);
        }
    }

    private static String id(Lease lease) {
        assertThat(lease).isNotNull();
        return lease.target().deployment().id();
    }

    private LimitingRouter router(RouteTable table) {
        return new LimitingRouter(table, LocalLimitStore.INSTANCE, clock::get);
    }

    private RouteTable table(String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "config", ".yaml");
        Files.writeString(file, yaml);
        return RouteTable.build(ConfigLoader.load(file, Map.of()));
    }
}
