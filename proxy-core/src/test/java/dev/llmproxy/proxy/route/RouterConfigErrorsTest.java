package dev.llmproxy.proxy.route;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.limiter.LocalLimitStore;
import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.config.RoutingStrategy;
import dev.llmproxy.proxy.config.RoutingStrategyArgs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Values that load as numbers but cannot be routed with: each is a config error naming the entry, not a crash. */
class RouterConfigErrorsTest {

    @TempDir
    Path dir;

    @Test
    void shouldReportLimitsTooLargeToEnforceTogetherAsAConfigErrorNamingTheEntry() throws IOException {
        RouteTable table = table("  - {model_name: g, litellm_params: {model: openai/a, rpm: 5000000000, "
                + "rpd: 5000000000}}\n");

        assertThatThrownBy(() -> new LimitingRouter(table, LocalLimitStore.INSTANCE, () -> 0L,
                RoutingStrategy.SIMPLE_SHUFFLE, RoutingStrategyArgs.DEFAULTS, new RoutingStats(table, () -> 0L)))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith(":2: model_list[0]: limits too large to enforce together (rpm 5000000000, rpd "
                        + "5000000000, max_parallel_requests none; expected them to fit in 63 bits together, e.g. "
                        + "each below 2^21 = 2097152)");
    }

    @Test
    void shouldReportAnOrderBeyondAnIntAsAConfigError() {
        assertThatThrownBy(() -> table("  - {model_name: g, litellm_params: {model: openai/a, order: 3000000000}}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith(": model_list[0].litellm_params.order: expected a whole number from 0 to "
                        + "2147483647, got 3000000000");
    }

    @Test
    void shouldReportAPriceThatIsNotANumberAsAConfigError() throws IOException {
        RouteTable table =
                table("  - {model_name: g, litellm_params: {model: openai/a, input_cost_per_token: cheap}}\n");

        assertThatThrownBy(() -> new RoutingStats(table, () -> 0L))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith(": model_list[0].litellm_params.input_cost_per_token: expected a price per "
                        + "token >= 0 (e.g. 0.0000025), got 'cheap'");
    }

    private RouteTable table(String models) throws IOException {
        Path file = Files.createTempFile(dir, "config", ".yaml");
        Files.writeString(file, "model_list:\n" + models);
        return RouteTable.build(ConfigLoader.load(file, Map.of()));
    }
}
