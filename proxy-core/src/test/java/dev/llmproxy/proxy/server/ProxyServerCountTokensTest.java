package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.provider.GoogleTokenAuthTestKeys;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/messages/count_tokens} end to end over real sockets, as the Anthropic SDK's
 * {@code client.messages.count_tokens(...)} sends it: relayed to Anthropic's and Vertex AI's counting endpoints for
 * Claude deployments, estimated by the proxy (no provider call) for every other.
 */
class ProxyServerCountTokensTest {
    private static final String MASTER_KEY = "sk-master-4321";
    private static final String COUNT = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello, Claude\"}],"
            + "\"model\":\"%s\",\"system\":\"Be brief.\"";

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() throws IOException {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true)
                .googleTokenKey(GoogleTokenAuthTestKeys.KEYS.getPublic()).build());
        Path credentials = dir.resolve("service-account.json");
        Files.writeString(credentials, GoogleTokenAuthTestKeys.serviceAccountJson(GoogleTokenAuthTestKeys.KEYS,
                mock.origin() + "/token"));
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: claude
                    litellm_params:
                      model: anthropic/claude-sonnet-4-5
                      api_base: %1$s
                      api_key: sk-ant-api03-test
                  - model_name: vertex-claude
                    litellm_params:
                      model: vertex_ai/claude-sonnet-4-5@20250929
                      vertex_project: my-project
                      vertex_location: us-east5
                      vertex_credentials: %3$s
                      api_base: %1$s
                  - model_name: gpt
                    litellm_params:
                      model: openai/gpt-4o
                      api_base: %2$s
                      api_key: sk-openai-test
                  - model_name: gemini
                    litellm_params:
                      model: gemini/gemini-2.5-flash
                      api_base: %1$s
                      api_key: AIza-test
                router_settings:
                  num_retries: 0
                general_settings:
                  master_key: %4$s
                """.formatted(mock.origin(), mock.baseUrl(), credentials, MASTER_KEY));
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldRelayToAnthropicCountTokensWithoutGenerationParametersWhenDeploymentIsAnthropic() {
        HttpResponse<String> response = proxy.post("/v1/messages/count_tokens",
                COUNT.formatted("claude") + ",\"max_tokens\":1024,\"stream\":false,"
                        + "\"mock_usage\":{\"prompt_tokens\":42}}",
                "x-api-key", MASTER_KEY, "anthropic-version", "2023-06-01", "anthropic-beta", "token-counting-2024-11-01");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"input_tokens\":42}");
        assertThat(response.headers().firstValue("x-llmproxy-token-count")).isEmpty();
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1/messages/count_tokens");
        assertThat(upstream.body()).isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello, Claude\"}],"
                + "\"model\":\"claude-sonnet-4-5\",\"system\":\"Be brief.\",\"mock_usage\":{\"prompt_tokens\":42}}");
        assertThat(upstream.header("x-api-key")).isEqualTo("sk-ant-api03-test");
        assertThat(upstream.header("anthropic-beta")).isEqualTo("token-counting-2024-11-01");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.MESSAGES_COUNT_TOKENS);
        assertThat(call.status()).isEqualTo(200);
        assertThat(call.usage()).isNull();
    }

    @Test
    void shouldRelayToVertexCountTokensWithModelInBodyWhenDeploymentIsVertexClaude() {
        HttpResponse<String> response = proxy.post("/v1/messages/count_tokens",
                COUNT.formatted("vertex-claude") + ",\"mock_usage\":{\"prompt_tokens\":17}}",
                "x-api-key", MASTER_KEY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"input_tokens\":17}");
        List<RecordedRequest> requests = mock.requests();
        RecordedRequest upstream = requests.get(requests.size() - 1);
        assertThat(upstream.uri()).isEqualTo(
                "/v1/projects/my-project/locations/us-east5/publishers/anthropic/models/count-tokens:rawPredict");
        assertThat(upstream.body()).contains("\"model\":\"claude-sonnet-4-5@20250929\"");
        assertThat(upstream.header("authorization")).startsWith("Bearer ya29.mock-");
    }

    @Test
    void shouldEstimateWithoutCallingProviderWhenDeploymentSpeaksOpenAiOrGemini() {
        // "user" + "Hello, Claude" + "Be brief." = 26 characters: 7 tokens at four characters a token
        for (String model : List.of("gpt", "gemini")) {
            HttpResponse<String> response = proxy.post("/v1/messages/count_tokens", COUNT.formatted(model) + "}",
                    "authorization", "Bearer " + MASTER_KEY);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"input_tokens\":7}");
            assertThat(response.headers().firstValue("x-llmproxy-token-count")).hasValue("estimate");
            assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue(model);
        }
        assertThat(mock.requests()).isEmpty();
        assertThat(proxy.awaitCalls(2).usage()).isNull();
    }

    @Test
    void shouldAnswerAnthropicErrorShapeWhenModelIsUnknownOrMessagesAreMissing() {
        HttpResponse<String> unknown = proxy.post("/v1/messages/count_tokens", COUNT.formatted("nope") + "}",
                "x-api-key", MASTER_KEY);
        HttpResponse<String> missing = proxy.post("/v1/messages/count_tokens", "{\"model\":\"gpt\"}",
                "x-api-key", MASTER_KEY);

        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).startsWith("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\"");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).startsWith("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\"")
                .contains("messages");
    }
}
