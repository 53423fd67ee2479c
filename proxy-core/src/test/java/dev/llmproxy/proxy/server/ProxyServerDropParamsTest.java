package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LiteLLM's {@code drop_params} and {@code additional_drop_params} on OpenAI-compatible deployments: never forwarded
 * (OpenAI refuses unknown parameters), and the parameters they name removed, per request or per deployment.
 */
class ProxyServerDropParamsTest {
    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: gpt
                    litellm_params:
                      model: openai/gpt-4o
                      api_base: %1$s/v1
                      api_key: sk-test
                  - model_name: gpt-no-seed
                    litellm_params:
                      model: openai/gpt-4o
                      api_base: %1$s/v1
                      api_key: sk-test
                      additional_drop_params: ["seed"]
                litellm_settings:
                  drop_params: true
                """.formatted(mock.origin()));
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldForwardBodyWithoutLiteLlmDropParamsWhenRequestCarriesThem() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", "{\"model\":\"gpt\",\"messages\":[{"
                + "\"role\":\"user\",\"content\":\"hi\"}],\"drop_params\":true,\"additional_drop_params\":"
                + "[\"logit_bias\"],\"logit_bias\":{\"1\":2},\"seed\":7}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(mock.requests().get(0).body()).isEqualTo("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}],\"seed\":7}");
    }

    @Test
    void shouldRemoveDeploymentsAdditionalDropParamsFromEveryRequest() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", "{\"model\":\"gpt-no-seed\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"seed\":7,\"stream\":true}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(mock.requests().get(0).body()).isEqualTo("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}],\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
    }
}
