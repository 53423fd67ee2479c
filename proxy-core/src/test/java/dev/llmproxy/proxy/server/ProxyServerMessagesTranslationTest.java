package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.BedrockExchanges;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.codec.messages.ToolNames;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The finer points of {@code POST /v1/messages} translated for other providers, end to end over real sockets: tool
 * names longer than 64 characters shortened for the provider and put back in the answer, whole and streamed, and the
 * thinking blocks of earlier turns sent on only to a provider that takes them back (Bedrock).
 */
class ProxyServerMessagesTranslationTest {
    private static final String MASTER_KEY = "sk-master-4321";
    /** A Claude Code MCP tool name: over Gemini's and OpenAI's 64 characters. */
    private static final String LONG_NAME = "mcp__filesystem_server_for_the_project__read_multiple_files_with_metadata";

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: gemini
                    litellm_params:
                      model: gemini/gemini-2.5-flash
                      api_base: %1$s
                      api_key: AIza-test
                  - model_name: gpt
                    litellm_params:
                      model: openai/gpt-4o
                      api_base: %2$s
                      api_key: sk-openai-test
                  - model_name: claude-bedrock
                    litellm_params:
                      model: bedrock/anthropic.claude-3-7-sonnet-20250219-v1:0
                      api_base: %1$s
                      aws_access_key_id: %3$s
                      aws_secret_access_key: %4$s
                      aws_region_name: us-east-1
                router_settings:
                  num_retries: 0
                general_settings:
                  master_key: %5$s
                """.formatted(mock.origin(), mock.baseUrl(), BedrockExchanges.ACCESS_KEY_ID,
                BedrockExchanges.SECRET_ACCESS_KEY, MASTER_KEY));
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldCallGeminiWithShortenedToolNameAndAnswerWithClientsNameWhenNameExceeds64Characters() {
        String shortName = ToolNames.shorten(LONG_NAME);

        HttpResponse<String> plain = proxy.post("/v1/messages", toolRequest(shortName, false), "x-api-key", MASTER_KEY,
                "anthropic-version", "2023-06-01");
        HttpResponse<String> streamed = proxy.post("/v1/messages", toolRequest(shortName, true), "x-api-key",
                MASTER_KEY, "anthropic-version", "2023-06-01");

        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.body()).contains("{\"type\":\"tool_use\",\"id\":").contains("\"name\":\"" + LONG_NAME + "\"")
                .contains("\"input\":{\"path\":\"a.txt\"}").doesNotContain(shortName)
                .contains("\"stop_reason\":\"tool_use\"");
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).contains("\"content_block\":{\"type\":\"tool_use\",\"id\":")
                .contains("\"name\":\"" + LONG_NAME + "\",\"input\":{}}").doesNotContain(shortName)
                .contains("\"stop_reason\":\"tool_use\"").endsWith("event: message_stop\ndata: "
                        + "{\"type\":\"message_stop\"}\n\n");
        for (int i = 0; i < 2; i++) {
            assertThat(mock.requests().get(i).body()).contains("\"name\":\"" + shortName + "\"")
                    .doesNotContain("\"name\":\"" + LONG_NAME + "\"");
        }
    }

    @Test
    void shouldSendEarlierThinkingWithItsSignatureToBedrockButNotToOpenAi() {
        String conversation = ",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"List files\"},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"Use the tool.\","
                + "\"signature\":\"EqQBCkYIBxgCKkA\"},{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"ls\","
                + "\"input\":{}}]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\","
                + "\"content\":\"a.txt\"}]}],\"tools\":[{\"name\":\"ls\",\"input_schema\":{\"type\":\"object\"}}]}";

        HttpResponse<String> bedrock = proxy.post("/v1/messages", "{\"model\":\"claude-bedrock\"" + conversation,
                "x-api-key", MASTER_KEY);
        HttpResponse<String> openAi = proxy.post("/v1/messages", "{\"model\":\"gpt\"" + conversation,
                "x-api-key", MASTER_KEY);

        assertThat(bedrock.statusCode()).isEqualTo(200);
        assertThat(openAi.statusCode()).isEqualTo(200);
        List<String> bodies = mock.requests().stream().map(r -> r.body()).toList();
        assertThat(bodies.get(0)).contains("{\"role\":\"assistant\",\"content\":[{\"reasoningContent\":"
                + "{\"reasoningText\":{\"text\":\"Use the tool.\",\"signature\":\"EqQBCkYIBxgCKkA\"}}},"
                + "{\"toolUse\":{\"toolUseId\":\"toolu_1\",\"name\":\"ls\",\"input\":{}}}]}");
        assertThat(bodies.get(1)).doesNotContain("thinking").doesNotContain("EqQBCkYIBxgCKkA")
                .contains("\"tool_calls\":[{\"id\":\"toolu_1\"");
    }

    @Test
    void shouldStreamAnthropicEventsWhenBedrockAnswersWithItsBinaryEventStream() {
        HttpResponse<String> response = proxy.post("/v1/messages", "{\"model\":\"claude-bedrock\",\"max_tokens\":100,"
                + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"{\\\"mock_chunks\\\":2}\"}]}",
                "x-api-key", MASTER_KEY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("event: message_start\n")
                .contains("{\"type\":\"text_delta\",\"text\":\"tok \"}").contains("\"stop_reason\":\"end_turn\"")
                .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n").doesNotContain("error");
        assertThat(mock.requests().get(0).uri()).endsWith("/converse-stream");
    }

    /** A request offering the long-named tool; the mock (Gemini) is told to call it by its shortened name. */
    private static String toolRequest(String shortName, boolean stream) {
        String controls = "{\\\"mock_tool_call\\\":{\\\"name\\\":\\\"" + shortName
                + "\\\",\\\"arguments\\\":{\\\"path\\\":\\\"a.txt\\\"}}}";
        return "{\"model\":\"gemini\",\"max_tokens\":100,\"stream\":" + stream + ",\"tools\":[{\"name\":\""
                + LONG_NAME + "\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}}}}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + controls + "\"}]}";
    }
}
