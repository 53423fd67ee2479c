package dev.llmproxy.proxy.spend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.RouteTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceTableTest {
    @TempDir
    Path dir;

    @Test
    void shouldShipPricesForTheSeedDeploymentsModels() {
        PriceTable table = PriceTable.bundled();

        assertThat(table.find("gpt-4o")).isEqualTo(new ModelPrice(2.5e-6, 1e-5));
        assertThat(table.find("gemini/gemini-2.5-flash")).isNotNull();
        assertThat(table.find("gemini/gemini-2.5-pro")).isNotNull();
        assertThat(table.find("gemini/gemini-2.5-flash-lite")).isNotNull();
        assertThat(table.find("gemini/gemini-2.0-flash")).isNotNull();
        assertThat(table.find("openrouter/deepseek/deepseek-r1:free")).isEqualTo(new ModelPrice(0, 0));
        assertThat(table.find("github/gpt-4.1")).isEqualTo(new ModelPrice(0, 0));
        assertThat(table.find("claude-sonnet-4-5")).isNotNull();
    }

    @Test
    void shouldReadLiteLlmsFormatWithStringPricesAndSkipEntriesWithoutPrices() throws IOException {
        Path file = write("""
                {"sample_spec": {"max_tokens": "set to max_output_tokens", "mode": "one of: chat"},
                 "my-model": {"input_cost_per_token": "3e-7", "output_cost_per_token": 1.2e-6,
                              "supports_vision": true, "supported_regions": ["global"]},
                 "gpt-4o": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6}}
                """);

        PriceTable table = PriceTable.bundledWith(file);

        assertThat(table.find("my-model")).isEqualTo(new ModelPrice(3e-7, 1.2e-6));
        assertThat(table.find("sample_spec")).isNull();
        assertThat(table.find("gpt-4o")).as("the file wins over the shipped table").isEqualTo(new ModelPrice(1e-6, 2e-6));
        assertThat(table.find("gpt-4o-mini")).as("the shipped table still there").isNotNull();
    }

    @Test
    void shouldRefuseAFileThatIsNotAPriceTable() throws IOException {
        Path file = write("[1, 2]");

        assertThatThrownBy(() -> PriceTable.bundledWith(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a JSON object");
    }

    @Test
    void shouldPriceADeploymentFromItsOwnParamsThenTheTableByProviderAndModel() throws IOException {
        Path config = write("""
                model_list:
                  - model_name: own
                    litellm_params: {model: openai/gpt-4o, api_key: sk-x, input_cost_per_token: 0.5,
                                     output_cost_per_token: "0.25"}
                  - model_name: table
                    litellm_params: {model: openai/gpt-4o, api_key: sk-x}
                  - model_name: gem
                    litellm_params: {model: gemini/gemini-2.5-flash, api_key: k}
                  - model_name: unpriced
                    litellm_params: {model: openai/some-private-model, api_key: sk-x}
                  - model_name: "openai/*"
                    litellm_params: {model: "openai/*", api_key: sk-x}
                """);
        RouteTable routes = RouteTable.build(ConfigLoader.load(config, Map.of()));
        DeploymentPrices prices = new DeploymentPrices(routes, PriceTable.bundled());

        assertThat(prices.cost(only(routes, "own"), "own", 2, 4)).isEqualTo(2.0, offset(1e-12));
        assertThat(prices.cost(only(routes, "table"), "table", 1000, 100)).isEqualTo(0.0035, offset(1e-12));
        assertThat(prices.cost(only(routes, "gem"), "gem", 1000, 0)).isEqualTo(3e-4, offset(1e-12));
        assertThat(prices.cost(only(routes, "unpriced"), "unpriced", 1000, 1000)).isZero();
        assertThat(prices.cost(only(routes, "openai/*"), "openai/gpt-4o-mini", 1000, 0))
                .isEqualTo(1.5e-4, offset(1e-12));
    }

    private static Deployment only(RouteTable routes, String group) {
        return routes.deployments().stream().filter(d -> d.modelGroup().equals(group)).findFirst().orElseThrow();
    }

    private Path write(String text) throws IOException {
        Path file = Files.createTempFile(dir, "prices", ".json");
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
