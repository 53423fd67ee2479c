package dev.llmproxy.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.limiter.LocalLimitStore;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.config.ReliabilitySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A router that never picks what the availability rules out, whatever router it wraps. */
class AvailabilityRouterTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    Path dir;

    private final AtomicLong ticker = new AtomicLong();
    private final AtomicLong clock = new AtomicLong(Instant.parse("2026-12-01T16:00:15Z").toEpochMilli());
    private final SplittableRandom random = new SplittableRandom(3);

    @Test
    void shouldNeverPickACoolingDeploymentUntilItsCooldownEnds() throws IOException {
        RouteTable table = table("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a}, model_info: {id: a}}
                  - {model_name: g, litellm_params: {model: openai/b}, model_info: {id: b}}
                """);
        Cooldowns cooldowns = new Cooldowns(table.deployments(), ReliabilitySettings.DEFAULTS);
        AvailabilityRouter router = new AvailabilityRouter(SimpleShuffleRouter.INSTANCE, cooldowns, ticker::get);
        ModelRoute route = table.resolve("g");
        cooldowns.coolDown(table.deploymentFor("a"), 0, 5 * SECOND);

        for (int i = 0; i < 50; i++) {
            assertThat(router.acquire(route, null, random).target().deployment().id()).isEqualTo("b");
        }
        TriedDeployments triedB = new TriedDeployments();
        triedB.add(table.deploymentFor("b"));
        assertThat(router.acquire(route, triedB, random)).isNull();
        assertThat(triedB.size()).as("the call's own set is left alone").isEqualTo(1);
        assertThat(router.retryAfterMillis(route)).isZero();

        ticker.set(5 * SECOND);
        assertThat(router.acquire(route, triedB, random).target().deployment().id()).isEqualTo("a");
    }

    @Test
    void shouldAnswerNullAndTheTimeUntilTheFirstComesBackWhenAllAreCooling() throws IOException {
        RouteTable table = table("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a}, model_info: {id: a}}
                  - {model_name: g, litellm_params: {model: openai/b}, model_info: {id: b}}
                """);
        Cooldowns cooldowns = new Cooldowns(table.deployments(), ReliabilitySettings.DEFAULTS);
        AvailabilityRouter router = new AvailabilityRouter(SimpleShuffleRouter.INSTANCE, cooldowns, ticker::get);
        ModelRoute route = table.resolve("g");
        cooldowns.coolDown(table.deploymentFor("a"), 0, 5 * SECOND);
        cooldowns.coolDown(table.deploymentFor("b"), 0, 3 * SECOND);

        assertThat(router.acquire(route, null, random)).isNull();
        assertThat(router.retryAfterMillis(route)).isEqualTo(3000);
    }

    @Test
    void shouldLetTheNextOrderTakeOverWhileTheLowestIsCooling() throws IOException {
        RouteTable table = table("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a, order: 1, rpm: 100}, model_info: {id: a}}
                  - {model_name: g, litellm_params: {model: openai/b, order: 2, rpm: 100}, model_info: {id: b}}
                """);
        Cooldowns cooldowns = new Cooldowns(table.deployments(), ReliabilitySettings.DEFAULTS);
        LimitingRouter limiting = new LimitingRouter(table, LocalLimitStore.INSTANCE, clock::get);
        AvailabilityRouter router = new AvailabilityRouter(limiting, cooldowns, ticker::get);
        ModelRoute route = table.resolve("g");

        assertThat(router.acquire(route, null, random).target().deployment().id()).isEqualTo("a");
        cooldowns.coolDown(table.deploymentFor("a"), 0, SECOND);
        assertThat(router.acquire(route, null, random).target().deployment().id()).isEqualTo("b");
        assertThat(router.quota(route)).isEqualTo(new GroupQuota(200, 198, GroupQuota.NONE, GroupQuota.NONE));
    }

    private RouteTable table(String yaml) throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, yaml);
        return RouteTable.build(ConfigLoader.load(file, Map.of()));
    }
}
