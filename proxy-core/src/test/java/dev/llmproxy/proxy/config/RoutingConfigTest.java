package dev.llmproxy.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routing and health settings: {@code routing_strategy_args}, the wait for capacity, background health checks,
 * top-level {@code rpm}/{@code tpm} on a model entry, and {@link ConfigLoader#check} collecting every unset variable.
 */
class RoutingConfigTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadLatencyArgumentsAndLeaveOthersIgnored() throws IOException {
        ProxyConfig config = load("""
                router_settings:
                  routing_strategy: latency-based-routing
                  routing_strategy_args: {ttl: 90, lowest_latency_buffer: 0.5, max_latency_list_size: 5}
                """);

        assertThat(config.routerSettings().strategyArgs())
                .isEqualTo(new RoutingStrategyArgs(Duration.ofSeconds(90), 0.5));
        assertThat(config.ignoredKeys()).containsExactly("router_settings.routing_strategy_args.max_latency_list_size");
        assertThat(load("router_settings: {}\n").routerSettings().strategyArgs())
                .isEqualTo(RoutingStrategyArgs.DEFAULTS);
    }

    @Test
    void shouldTurnTheWaitForCapacityOnOnlyWithATimeout() throws IOException {
        assertThat(load("router_settings: {wait_for_capacity_timeout: 20}\n").routerSettings().capacityWait())
                .isEqualTo(new CapacityWait(Duration.ofSeconds(20), CapacityWait.DEFAULT_MAX_QUEUE));
        assertThat(load("router_settings: {wait_for_capacity_timeout: 20, wait_for_capacity_max_queue: 5}\n")
                .routerSettings().capacityWait()).isEqualTo(new CapacityWait(Duration.ofSeconds(20), 5));
        assertThat(load("router_settings: {}\n").routerSettings().capacityWait()).isNull();
        assertThat(loadError("router_settings: {wait_for_capacity_max_queue: 5}\n"))
                .isEqualTo("x.yaml:1: router_settings.wait_for_capacity_max_queue: has no effect without "
                        + "wait_for_capacity_timeout (the longest a request may wait, in seconds)");
        assertThat(loadError("router_settings: {wait_for_capacity_timeout: 5, wait_for_capacity_max_queue: 0}\n"))
                .isEqualTo("x.yaml:1: router_settings.wait_for_capacity_max_queue: expected a number of requests "
                        + "from 1 to 1000000, got 0");
    }

    @Test
    void shouldReadBackgroundHealthChecksWithLiteLlmDefaultInterval() throws IOException {
        assertThat(load("general_settings: {background_health_checks: true}\n").generalSettings().healthChecks())
                .isEqualTo(new HealthCheckSettings(true, Duration.ofSeconds(300)));
        ProxyConfig config = load("general_settings: {background_health_checks: false, health_check_interval: 60}\n");
        assertThat(config.generalSettings().healthChecks())
                .isEqualTo(new HealthCheckSettings(false, Duration.ofSeconds(60)));
        assertThat(config.ignoredKeys()).isEmpty();
    }

    @Test
    void shouldCopyTopLevelRpmAndTpmIntoLitellmParamsAsLiteLlmDoes() throws IOException {
        ProxyConfig config = load("""
                model_list:
                  - model_name: g
                    rpm: 7
                    tpm: 7000
                    litellm_params: {model: openai/a, rpm: 100}
                """);

        assertThat(config.modelList().get(0).litellmParams().rpm()).isEqualTo(7L);
        assertThat(config.modelList().get(0).litellmParams().tpm()).isEqualTo(7000L);
        assertThat(config.ignoredKeys()).isEmpty();
    }

    @Test
    void shouldRefuseALimitBeyondAWholeNumberWithTheKeyNamed() throws IOException {
        assertThat(loadError("model_list:\n  - {model_name: g, litellm_params: {model: openai/a, "
                + "rpm: 99999999999999999999}}\n"))
                .isEqualTo("x.yaml:2: model_list[0].litellm_params.rpm: expected a whole number >= 0, got "
                        + "'99999999999999999999'");
    }

    @Test
    void shouldCollectEveryUnsetVariableWhenChecking() throws IOException {
        Path file = write("""
                model_list:
                  - {model_name: a, litellm_params: {model: openrouter/x, api_key: os.environ/OPENROUTER_API_KEY}}
                  - {model_name: b, litellm_params: {model: openai/y, api_key: os.environ/OPENAI_API_KEY}}
                general_settings: {master_key: os.environ/LITELLM_MASTER_KEY}
                """);

        ConfigCheck check = ConfigLoader.check(file, Map.of("OPENAI_API_KEY", "sk-set"));

        assertThat(check.error()).isNull();
        assertThat(check.config()).isNotNull();
        assertThat(check.missing()).extracting(MissingVariable::name)
                .containsExactly("OPENROUTER_API_KEY", "LITELLM_MASTER_KEY");
        assertThat(check.missing().get(0).toString().replace(file.toString(), "x.yaml"))
                .isEqualTo("x.yaml:2: model_list[0].litellm_params.api_key: environment variable OPENROUTER_API_KEY "
                        + "is not set");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .hasMessageContaining("environment variable OPENROUTER_API_KEY is not set");
    }

    private ProxyConfig load(String yaml) throws IOException {
        return ConfigLoader.load(write(yaml), Map.of());
    }

    private String loadError(String yaml) throws IOException {
        Path file = write(yaml);
        return assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .actual()
                .getMessage()
                .replace(file.toString(), "x.yaml");
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("x.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }
}
