package dev.llmproxy.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retry, fallback, cooldown and parallel-limit keys, from the sections LiteLLM reads them in. */
class ReliabilitySettingsReaderTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadEveryKeyAndPreferRouterSettingsOverLitellmSettings() throws IOException {
        ProxyConfig config = load("""
                router_settings:
                  num_retries: 4
                  retry_after: 1.5
                  retry_policy: {RateLimitErrorRetries: 1, InternalServerErrorRetries: 0}
                  model_group_retry_policy: {g: {TimeoutErrorRetries: 3}}
                  fallbacks: [{g: [h, i]}]
                  max_fallbacks: 2
                  allowed_fails: 1
                  allowed_fails_policy: {RateLimitErrorAllowedFails: 5, NotFoundErrorAllowedFails: 0}
                  cooldown_time: 0.5
                  disable_cooldowns: false
                litellm_settings:
                  num_retries: 9
                  fallbacks: [{x: [y]}]
                  context_window_fallbacks: [{g: [big]}]
                  content_policy_fallbacks: [{g: [safe]}]
                  default_fallbacks: last
                general_settings:
                  max_parallel_requests: 10
                  global_max_parallel_requests: 100
                """);
        ReliabilitySettings settings = config.reliability();

        assertThat(settings.numRetries()).isEqualTo(4);
        assertThat(settings.retryAfter()).isEqualTo(Duration.ofMillis(1500));
        assertThat(settings.retryPolicy()).isEqualTo(new RetryPolicy(null, null, null, 1, null, 0));
        assertThat(settings.groupRetryPolicies()).containsEntry("g", new RetryPolicy(null, null, 3, null, null, null));
        assertThat(settings.fallbacks()).isEqualTo(Map.of("g", List.of("h", "i")));
        assertThat(settings.contextWindowFallbacks()).isEqualTo(Map.of("g", List.of("big")));
        assertThat(settings.contentPolicyFallbacks()).isEqualTo(Map.of("g", List.of("safe")));
        assertThat(settings.defaultFallbacks()).containsExactly("last");
        assertThat(settings.maxFallbacks()).isEqualTo(2);
        assertThat(settings.allowedFails()).isEqualTo(1);
        assertThat(settings.allowedFailsPolicy().rateLimit()).isEqualTo(5);
        assertThat(settings.allowedFailsPolicy().notFound()).isZero();
        assertThat(settings.cooldownTime()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.countsAllowedFails()).isTrue();
        assertThat(settings.maxParallelRequests()).isEqualTo(10);
        assertThat(settings.globalMaxParallelRequests()).isEqualTo(100);
        assertThat(config.ignoredKeys()).isEmpty();
    }

    @Test
    void shouldDefaultToLiteLlmsValues() throws IOException {
        ReliabilitySettings settings = load("model_list: []\n").reliability();

        assertThat(settings).isEqualTo(ReliabilitySettings.DEFAULTS);
        assertThat(settings.effectiveNumRetries()).isEqualTo(2);
        assertThat(settings.maxFallbacks()).isEqualTo(5);
        assertThat(settings.cooldownTime()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void shouldRefuseAFallbackItemWithMoreThanOneGroup() {
        assertThatThrownBy(() -> load("router_settings:\n  fallbacks: [{a: [b], c: [d]}]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("router_settings.fallbacks[0]")
                .hasMessageContaining("expected one 'group: [fallback groups]' pair, got 2 keys");
    }

    @Test
    void shouldRefuseAnUnknownRetryPolicyKey() {
        assertThatThrownBy(() -> load("router_settings:\n  retry_policy: {RateLimitRetries: 1}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("router_settings.retry_policy.RateLimitRetries")
                .hasMessageContaining("RateLimitErrorRetries");
    }

    @Test
    void shouldRefuseANegativeOrZeroLimit() {
        assertThatThrownBy(() -> load("router_settings:\n  num_retries: -1\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("whole number >= 0");
        assertThatThrownBy(() -> load("general_settings:\n  global_max_parallel_requests: 0\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("whole number > 0");
    }

    private ProxyConfig load(String yaml) throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(file, Map.of());
    }
}
