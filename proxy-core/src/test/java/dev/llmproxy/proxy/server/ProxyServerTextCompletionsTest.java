package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.BedrockExchanges;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.provider.Endpoint;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/completions} on providers with a chat API only, end to end over real sockets: the prompt sent as one
 * user message in each provider's own format (Anthropic, Gemini, Bedrock's signed Converse), the answer back as a
 * {@code text_completion}, whole and streamed.
 */
class ProxyServerTextCompletionsTest {
    private static final String MASTER_KEY = "sk-master-4321";

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: claude
                    litellm_params:
                      model: anthropic/claude-sonnet-4-5
                      api_base: %1$s
                      api_key: sk-ant-api03-test
                  - model_name: gemini
                    litellm_params:
                      model: gemini/gemini-2.5-flash
                      api_base: %1$s
                      api_key: AIza-test
                  - model_name: nova
                    litellm_params:
                      model: bedrock/amazon.nova-pro-v1:0
                      api_base: %1$s
                      aws_access_key_id: %2$s
                      aws_secret_access_key: %3$s
                      aws_region_name: us-east-1
                router_settings:
                  num_retries: 0
                general_settings:
                  master_key: %4$s
                """.formatted(mock.origin(), BedrockExchanges.ACCESS_KEY_ID, BedrockExchanges.SECRET_ACCESS_KEY,
                MASTER_KEY));
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldAnswerTextCompletionWhenAnthropicAnswersTheBridgedChatRequest() {
        HttpResponse<String> response = post("{\"model\":\"claude\",\"prompt\":\"Say hi\",\"max_tokens\":5,"
                + "\"echo\":false,\"mock_content\":\"Hello there\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"text_completion\"")
                .contains("\"choices\":[{\"text\":\"Hello there\",\"index\":0,\"logprobs\":null,"
                        + "\"finish_reason\":\"stop\"}]")
                .contains("\"usage\":{\"prompt_tokens\":10,");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1/messages");
        assertThat(upstream.body()).contains("\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"Say hi\"}]}]").doesNotContain("prompt").doesNotContain("echo");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.COMPLETIONS);
        assertThat(call.usage()).isNotNull();
    }

    @Test
    void shouldStreamTextCompletionChunksWhenGeminiStreams() {
        HttpResponse<String> response = post("{\"model\":\"gemini\",\"prompt\":\"{\\\"mock_chunks\\\":3}\","
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        String body = response.body();
        assertThat(body).startsWith("data: {\"id\":").contains("\"object\":\"text_completion\"")
                .contains("\"choices\":[{\"text\":\"tok \",\"index\":0,\"logprobs\":null,\"finish_reason\":null}]")
                .contains("\"finish_reason\":\"stop\"").contains("\"choices\":[],\"usage\":{")
                .endsWith("data: [DONE]\n\n").doesNotContain("chat.completion");
        assertThat(mock.requests().get(0).uri()).contains("gemini-2.5-flash:streamGenerateContent");
        assertThat(proxy.awaitCalls(1).usage()).isEqualTo(Usage.of(10, 3));
    }

    @Test
    void shouldStreamTextCompletionChunksWhenBedrockStreamsItsBinaryEvents() {
        HttpResponse<String> response = post("{\"model\":\"nova\",\"prompt\":\"{\\\"mock_chunks\\\":2}\","
                + "\"stream\":true}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"text_completion\"").contains("\"text\":\"tok \"")
                .endsWith("data: [DONE]\n\n").doesNotContain("chat.completion").doesNotContain("\"usage\"");
        assertThat(mock.requests().get(0).uri()).endsWith("/converse-stream");
    }

    @Test
    void shouldRefuseSeveralPromptsWithClearErrorWhenProviderHasNoTextCompletions() {
        HttpResponse<String> response = post("{\"model\":\"gemini\",\"prompt\":[\"a\",\"b\"]}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("several prompts");
        assertThat(mock.requests()).isEmpty();
    }

    private HttpResponse<String> post(String body) {
        return proxy.post("/v1/completions", body, "authorization", "Bearer " + MASTER_KEY);
    }
}
