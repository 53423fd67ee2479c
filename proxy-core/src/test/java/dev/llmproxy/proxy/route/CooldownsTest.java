package dev.llmproxy.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LiteLLM's cooldown rules on a fake ticker: which failures cool, for how long, alone or in a group. */
class CooldownsTest {
    private static final String PAIR = """
            model_list:
              - {model_name: pair, litellm_params: {model: openai/a}, model_info: {id: a}}
              - {model_name: pair, litellm_params: {model: openai/b}, model_info: {id: b}}
              - {model_name: solo, litellm_params: {model: openai/s}, model_info: {id: s}}
            """;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    Path dir;

    private RouteTable table;
    private Cooldowns cooldowns;

    @Test
    void shouldCoolADeploymentOfAGroupOnA429ForTheDefaultFiveSeconds() throws IOException {
        load(PAIR);
        Deployment a = deployment("a");

        assertThat(cooldowns.onFailure(route("pair"), a, Failure.of(429), 0)).isTrue();

        assertThat(cooldowns.unavailableNanos(a, 0)).isEqualTo(5 * SECOND);
        assertThat(cooldowns.isAvailable(a, 5 * SECOND - 1)).isFalse();
        assertThat(cooldowns.isAvailable(a, 5 * SECOND)).isTrue();
        assertThat(cooldowns.isAvailable(deployment("b"), 0)).isTrue();
    }

    @Test
    void shouldNotCoolTheOnlyDeploymentOfAGroupOnA429ButOnA401() throws IOException {
        load(PAIR);
        Deployment solo = deployment("s");

        assertThat(cooldowns.onFailure(route("solo"), solo, Failure.of(429), 0)).isFalse();
        assertThat(cooldowns.onFailure(route("solo"), solo, Failure.of(500), 0)).isFalse();
        assertThat(cooldowns.isAvailable(solo, 0)).isTrue();

        assertThat(cooldowns.onFailure(route("solo"), solo, Failure.of(401), 0)).isTrue();
        assertThat(cooldowns.isAvailable(solo, 0)).isFalse();
    }

    @Test
    void shouldTakeTheProvidersRetryAfterAsTheCooldownLength() throws IOException {
        load(PAIR);
        Deployment a = deployment("a");

        cooldowns.onFailure(route("pair"), a, new Failure(429, ErrorClass.RATE_LIMIT, 30 * SECOND), 0);

        assertThat(cooldowns.unavailableNanos(a, SECOND)).isEqualTo(29 * SECOND);
    }

    @Test
    void shouldNeverCoolOnABadRequest() throws IOException {
        load(PAIR);
        Deployment a = deployment("a");

        for (int i = 0; i < 10; i++) {
            assertThat(cooldowns.onFailure(route("pair"), a, Failure.of(400), i)).isFalse();
        }
        assertThat(cooldowns.isAvailable(a, 10)).isTrue();
    }

    @Test
    void shouldCoolWhenMoreThanHalfOfAtLeastFiveCallsThisMinuteFailed() throws IOException {
        load(PAIR);
        Deployment a = deployment("a");
        cooldowns.onSuccess(a, 0);
        cooldowns.onSuccess(a, 1);

        assertThat(cooldowns.onFailure(route("pair"), a, Failure.of(500), 2)).as("1 of 3").isFalse();
        assertThat(cooldowns.onFailure(route("pair"), a, Failure.of(500), 3)).as("2 of 4").isFalse();
        assertThat(cooldowns.onFailure(route("pair"), a, Failure.of(503), 4)).as("3 of 5").isTrue();
        assertThat(cooldowns.isAvailable(a, 5)).isFalse();
    }

    @Test
    void shouldStartCountingAfreshEachMinute() throws IOException {
        load(PAIR);
        Deployment a = deployment("a");
        cooldowns.onFailure(route("pair"), a, Failure.of(500), 0);
        cooldowns.onFailure(route("pair"), a, Failure.of(500), 1);
        cooldowns.onFailure(route("pair"), a, Failure.of(500), 2);
        cooldowns.onFailure(route("pair"), a, Failure.of(500), 3);

        long later = TimeUnit.MINUTES.toNanos(1) + 3;
        assertThat(cooldowns.onFailure(route("pair"), a, Failure.of(500), later)).as("1 of 1 in a new minute")
                .isFalse();
    }

    @Test
    void shouldCoolEvenTheOnlyDeploymentWhenItsFailuresExceedAllowedFails() throws IOException {
        load("""
                model_list:
                  - {model_name: solo, litellm_params: {model: openai/s}, model_info: {id: s}}
                router_settings: {allowed_fails: 1, cooldown_time: 30}
                """);
        Deployment solo = deployment("s");

        assertThat(cooldowns.onFailure(route("solo"), solo, Failure.of(500), 0)).isFalse();
        assertThat(cooldowns.onFailure(route("solo"), solo, Failure.of(500), SECOND)).isTrue();

        assertThat(cooldowns.unavailableNanos(solo, SECOND)).isEqualTo(30 * SECOND);
    }

    @Test
    void shouldCountAllowedFailsWithinOneCooldownPeriodOnly() throws IOException {
        load("""
                model_list:
                  - {model_name: solo, litellm_params: {model: openai/s}, model_info: {id: s}}
                router_settings: {allowed_fails: 1, cooldown_time: 10}
                """);
        Deployment solo = deployment("s");

        cooldowns.onFailure(route("solo"), solo, Failure.of(500), 0);

        assertThat(cooldowns.onFailure(route("solo"), solo, Failure.of(500), 10 * SECOND)).isFalse();
    }

    @Test
    void shouldTakeTheAllowanceOfTheFailuresClassFromThePolicy() throws IOException {
        load("""
                model_list:
                  - {model_name: pair, litellm_params: {model: openai/a}, model_info: {id: a}}
                  - {model_name: pair, litellm_params: {model: openai/b}, model_info: {id: b}}
                router_settings:
                  allowed_fails_policy: {RateLimitErrorAllowedFails: 2, InternalServerErrorAllowedFails: 0}
                """);
        Deployment a = deployment("a");
        Deployment b = deployment("b");

        assertThat(cooldowns.onFailure(route("pair"), a, Failure.of(429), 0)).isFalse();
        assertThat(cooldowns.onFailure(route("pair"), a, Failure.of(429), 1)).isFalse();
        assertThat(cooldowns.onFailure(route("pair"), a, Failure.of(429), 2)).isTrue();
        assertThat(cooldowns.onFailure(route("pair"), b, Failure.of(500), 0)).isTrue();
    }

    @Test
    void shouldPreferTheDeploymentsOwnCooldownTime() throws IOException {
        load("""
                model_list:
                  - {model_name: pair, litellm_params: {model: openai/a, cooldown_time: 2}, model_info: {id: a}}
                  - {model_name: pair, litellm_params: {model: openai/b}, model_info: {id: b}}
                """);
        Deployment a = deployment("a");

        cooldowns.onFailure(route("pair"), a, new Failure(429, ErrorClass.RATE_LIMIT, 30 * SECOND), 0);

        assertThat(cooldowns.unavailableNanos(a, 0)).isEqualTo(2 * SECOND);
    }

    @Test
    void shouldCoolNothingWhenCooldownsAreDisabled() throws IOException {
        load(PAIR + "router_settings: {disable_cooldowns: true}\n");
        Deployment a = deployment("a");

        assertThat(cooldowns.onFailure(route("pair"), a, Failure.of(429), 0)).isFalse();
        cooldowns.coolDown(a, 0, SECOND);

        assertThat(cooldowns.isAvailable(a, 0)).isTrue();
    }

    @Test
    void shouldNeverShortenACooldownThatIsRunning() throws IOException {
        load(PAIR);
        Deployment a = deployment("a");
        cooldowns.coolDown(a, 0, 60 * SECOND);

        cooldowns.coolDown(a, SECOND, SECOND);

        assertThat(cooldowns.unavailableNanos(a, SECOND)).isEqualTo(59 * SECOND);
    }

    @Test
    void shouldKeepTheLatestEndWhenManyThreadsCoolADeploymentAtOnce() throws Exception {
        load(PAIR);
        Deployment a = deployment("a");
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long base = t;
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 1; i <= 1000; i++) {
                    cooldowns.coolDown(a, 0, (i * 4 + base) * SECOND / 1000);
                }
            });
            thread.start();
            threads.add(thread);
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(cooldowns.unavailableNanos(a, 0)).isEqualTo(4003 * SECOND / 1000);
    }

    @Test
    void shouldRefuseACooldownTimeThatIsNotANumber() throws IOException {
        assertThatThrownBy(() -> load("""
                model_list:
                  - {model_name: pair, litellm_params: {model: openai/a, cooldown_time: soon}, model_info: {id: a}}
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("cooldown_time");
    }

    private void load(String yaml) throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, yaml);
        ProxyConfig config = ConfigLoader.load(file, Map.of());
        table = RouteTable.build(config);
        cooldowns = new Cooldowns(table.deployments(), config.reliability());
    }

    private Deployment deployment(String id) {
        Deployment deployment = table.deploymentFor(id);
        assertThat(deployment).isNotNull();
        return deployment;
    }

    private ModelRoute route(String group) {
        ModelRoute route = table.resolve(group);
        assertThat(route).isNotNull();
        return route;
    }
}
