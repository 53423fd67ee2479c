package dev.llmproxy.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How many retries, whether to skip them, how long to wait, and which fallbacks: LiteLLM's rules. */
class RetryRulesTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final String MODELS = """
            model_list:
              - {model_name: pair, litellm_params: {model: openai/a}, model_info: {id: a}}
              - {model_name: pair, litellm_params: {model: openai/b, num_retries: 7}, model_info: {id: b}}
              - {model_name: solo, litellm_params: {model: openai/s, max_retries: 1}, model_info: {id: s}}
              - {model_name: big, litellm_params: {model: openai/big}, model_info: {id: big}}
            """;

    @TempDir
    Path dir;

    private RouteTable table;

    @Test
    void shouldTakeRetriesFromPolicyThenDeploymentThenRequestThenConfig() throws IOException {
        RetryRules rules = rules(MODELS + """
                router_settings:
                  num_retries: 4
                  retry_policy: {RateLimitErrorRetries: 9}
                  model_group_retry_policy: {pair: {TimeoutErrorRetries: 5}}
                """);

        assertThat(rules.retries(route("big"), deployment("big"), Failure.of(500), -1)).isEqualTo(4);
        assertThat(rules.retries(route("big"), deployment("big"), Failure.of(500), 1)).isEqualTo(1);
        assertThat(rules.retries(route("big"), deployment("big"), Failure.of(429), 1)).isEqualTo(9);
        assertThat(rules.retries(route("pair"), deployment("b"), Failure.of(500), 1)).isEqualTo(7);
        assertThat(rules.retries(route("solo"), deployment("s"), Failure.of(500), 3)).isEqualTo(1);
        assertThat(rules.retries(route("pair"), deployment("a"), Failure.of(408), -1))
                .as("the group's policy replaces the router's").isEqualTo(5);
        assertThat(rules.retries(route("pair"), deployment("a"), Failure.of(429), -1)).isEqualTo(4);
    }

    @Test
    void shouldRetryTwiceWhenNothingIsConfigured() throws IOException {
        RetryRules rules = rules(MODELS);

        assertThat(rules.retries(route("big"), deployment("big"), Failure.of(503), -1)).isEqualTo(2);
    }

    @Test
    void shouldGoStraightToFallbacksOnErrorsNoRetryCures() throws IOException {
        RetryRules rules = rules(MODELS);

        assertThat(rules.skipsRetries(route("pair"), Failure.of(400), 0)).isTrue();
        assertThat(rules.skipsRetries(route("pair"), Failure.of(404), 0)).isTrue();
        assertThat(rules.skipsRetries(route("pair"),
                new Failure(400, ErrorClass.CONTEXT_WINDOW_EXCEEDED, -1), 0)).isTrue();
        assertThat(rules.skipsRetries(route("solo"), Failure.of(401), 0)).as("no other key to try").isTrue();
        assertThat(rules.skipsRetries(route("pair"), Failure.of(401), 0)).isFalse();
        assertThat(rules.skipsRetries(route("pair"), Failure.of(429), 0)).isFalse();
        assertThat(rules.skipsRetries(route("solo"), Failure.of(500), 0)).isFalse();
    }

    @Test
    void shouldGoStraightToFallbacksWhenTheGroupHasNothingInRotation() throws IOException {
        RetryRules rules = rules(MODELS);
        rules.cooldowns().coolDown(deployment("a"), 0, SECOND);
        rules.cooldowns().coolDown(deployment("b"), 0, SECOND);

        assertThat(rules.skipsRetries(route("pair"), Failure.of(429), 0)).isTrue();
        assertThat(rules.skipsRetries(route("pair"), Failure.of(429), SECOND)).isFalse();
    }

    @Test
    void shouldRetryABadRequestWhenThePolicySaysSo() throws IOException {
        RetryRules rules = rules(MODELS + "router_settings: {retry_policy: {BadRequestErrorRetries: 1}}\n");

        assertThat(rules.skipsRetries(route("pair"), Failure.of(400), 0)).isFalse();
        assertThat(rules.retries(route("pair"), deployment("a"), Failure.of(400), -1)).isEqualTo(1);
    }

    @Test
    void shouldBackOffFromHalfASecondDoublingToEightWithJitter() throws IOException {
        RetryRules rules = rules(MODELS);
        SplittableRandom random = new SplittableRandom(5);
        long[] bases = {500, 500, 1000, 2000, 4000, 8000, 8000};

        for (int retries = 0; retries < bases.length; retries++) {
            for (int i = 0; i < 20; i++) {
                long millis = TimeUnit.NANOSECONDS.toMillis(rules.backoffNanos(retries, Failure.of(503), random));
                assertThat(millis).isBetween(bases[retries] * 3 / 4, bases[retries]);
            }
        }
    }

    @Test
    void shouldHonourTheProvidersRetryAfterUpToAMinuteAndNeverWaitLessThanRetryAfter() throws IOException {
        RetryRules rules = rules(MODELS + "router_settings: {retry_after: 2}\n");
        SplittableRandom random = new SplittableRandom(5);

        assertThat(rules.backoffNanos(0, new Failure(429, ErrorClass.RATE_LIMIT, 7 * SECOND), random))
                .isEqualTo(7 * SECOND);
        assertThat(rules.backoffNanos(0, new Failure(429, ErrorClass.RATE_LIMIT, 61 * SECOND), random))
                .as("too long: the backoff, at least retry_after").isEqualTo(2 * SECOND);
        assertThat(rules.backoffNanos(0, new Failure(429, ErrorClass.RATE_LIMIT, SECOND / 2), random))
                .isEqualTo(2 * SECOND);
    }

    @Test
    void shouldPickTheFallbackListByTheErrorAndTheGroupName() throws IOException {
        RetryRules rules = rules(MODELS + """
                litellm_settings:
                  fallbacks: [{solo: [pair]}, {"*": [big]}]
                  context_window_fallbacks: [{pair: [big]}]
                  default_fallbacks: [solo]
                """);

        assertThat(rules.fallbacks("solo", ErrorClass.RATE_LIMIT)).containsExactly("pair");
        assertThat(rules.fallbacks("openai/solo", ErrorClass.RATE_LIMIT)).containsExactly("pair");
        assertThat(rules.fallbacks("pair", ErrorClass.INTERNAL_SERVER)).as("the * entry").containsExactly("big");
        assertThat(rules.fallbacks("pair", ErrorClass.CONTEXT_WINDOW_EXCEEDED)).containsExactly("big");
        assertThat(rules.fallbacks("solo", ErrorClass.CONTEXT_WINDOW_EXCEEDED))
                .as("context window fallbacks are configured but not for solo: no fallback").isEmpty();
        assertThat(rules.fallbacks("solo", ErrorClass.CONTENT_POLICY_VIOLATION))
                .as("no content policy fallbacks: the regular list").containsExactly("pair");
    }

    @Test
    void shouldUseDefaultFallbacksForAGroupWithoutItsOwn() throws IOException {
        RetryRules rules = rules(MODELS + "router_settings: {default_fallbacks: [big, solo], max_fallbacks: 1}\n");

        assertThat(rules.fallbacks("pair", ErrorClass.RATE_LIMIT)).isEqualTo(List.of("big", "solo"));
        assertThat(rules.maxFallbacks()).isEqualTo(1);
        assertThat(rules.resolve("big")).isNotNull();
        assertThat(rules.resolve("nothing")).isNull();
    }

    @Test
    void shouldRefuseADeploymentNumRetriesThatIsNotAWholeNumber() {
        assertThatThrownBy(() -> rules("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a, num_retries: often}}
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("num_retries");
    }

    private RetryRules rules(String yaml) throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, yaml);
        ProxyConfig config = ConfigLoader.load(file, Map.of());
        table = RouteTable.build(config);
        return RetryRules.of(table, config.reliability());
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
