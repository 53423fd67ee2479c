package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.spend.CallCosts;
import dev.llmproxy.proxy.spend.PriceTable;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code x-litellm-response-cost} over real sockets: a priced non-streamed answer is held until its usage is read and
 * its head carries the cost the spend records get, as Python writes it; streams, unpriced models and answers too large
 * to hold carry none; errors say 0, as LiteLLM's.
 */
class ProxyServerResponseCostTest {
    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static final String USAGE = ",\"mock_usage\":{\"prompt_tokens\":10,\"completion_tokens\":2}";
    private static final String COST = "x-litellm-response-cost";

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;
    private CallCosts costs;

    @BeforeEach
    void setUp() throws Exception {
        mock = MockProvider.start(MockProviderConfig.builder().build());
        String yaml = """
                model_list:
                  - model_name: priced
                    litellm_params: {model: openai/gpt-4o-mini, api_base: %1$s, api_key: sk-up,
                                     input_cost_per_token: 1.5e-6, output_cost_per_token: 3.75e-6}
                  - model_name: unpriced
                    litellm_params: {model: openai/a-model-no-table-prices, api_base: %1$s, api_key: sk-up}
                  - model_name: mocked
                    litellm_params: {model: openai/gpt-4o-mini, mock_response: "Hello",
                                     input_cost_per_token: 1.5e-6, output_cost_per_token: 3.75e-6}
                """.formatted(mock.baseUrl());
        Path config = dir.resolve("costs.yaml");
        Files.writeString(config, yaml, StandardCharsets.UTF_8);
        costs = new CallCosts(RouteTable.build(ConfigLoader.load(config, Map.of())), PriceTable.bundled());
        proxy = ProxyFixture.start(dir, yaml);
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldPutTheCostTheSpendRecordGetsInTheHeadOfANonStreamedAnswer() {
        HttpResponse<String> response = chat("priced", USAGE);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"chat.completion\"").contains("\"prompt_tokens\":10");
        assertThat(response.headers().firstValue("content-length"))
                .hasValue(Integer.toString(response.body().getBytes(StandardCharsets.UTF_8).length));
        // 10 x 1.5e-6 + 2 x 3.75e-6, written as Python's str(float).
        assertThat(response.headers().firstValue(COST)).hasValue("2.25e-05");
        CallRecord record = proxy.awaitCalls(1);
        assertThat(Double.parseDouble(response.headers().firstValue(COST).orElseThrow()))
                .isEqualTo(costs.cost(record));
    }

    @Test
    void shouldPutTheCostOfAMockAnswerInItsHead() {
        HttpResponse<String> response = chat("mocked", "");

        assertThat(response.statusCode()).isEqualTo(200);
        // LiteLLM's mock usage: 10 prompt and 20 completion tokens.
        assertThat(response.headers().firstValue(COST)).hasValue("9e-05");
        assertThat(Double.parseDouble(response.headers().firstValue(COST).orElseThrow()))
                .isEqualTo(costs.cost(proxy.awaitCalls(1)));
    }

    @Test
    void shouldSendNoCostOnAStreamWhoseHeadLeavesBeforeItsUsage() {
        HttpResponse<String> response = chat("priced", USAGE + ",\"stream\":true");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("data: ");
        assertThat(response.headers().firstValue(COST)).isEmpty();
    }

    @Test
    void shouldSendNoCostForAModelWithoutAPrice() {
        HttpResponse<String> response = chat("unpriced", USAGE);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue(COST)).isEmpty();
    }

    @Test
    void shouldSayZeroOnAProviderErrorAndOnTheProxysOwnError() {
        HttpResponse<String> provider = chat("priced", ",\"mock_status\":400,\"mock_error_message\":\"bad\"");
        HttpResponse<String> gateway = proxy.post("/v1/chat/completions",
                "{\"model\":\"priced\"," + MESSAGES + ",\"mock_testing_fallbacks\":true}");

        assertThat(provider.statusCode()).isEqualTo(400);
        assertThat(provider.headers().firstValue(COST)).hasValue("0");
        assertThat(gateway.statusCode()).isEqualTo(400);
        assertThat(gateway.headers().firstValue(COST)).hasValue("0");
    }

    @Test
    void shouldRelayAnAnswerTooLargeToHoldWhole() {
        String content = "x".repeat(1_200_000);

        HttpResponse<String> response = chat("priced", USAGE + ",\"mock_content\":\"" + content + "\"");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains(content).contains("\"prompt_tokens\":10");
        assertThat(response.headers().firstValue(COST)).isEmpty();
        assertThat(proxy.awaitCalls(1).usage()).isNotNull();
    }

    private HttpResponse<String> chat(String model, String extra) {
        return proxy.post("/v1/chat/completions", "{\"model\":\"" + model + "\"," + MESSAGES + extra + "}");
    }
}
