package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.BedrockExchanges;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompt caching on Claude through Bedrock Converse, end to end: {@code cache_control} marks from an Anthropic
 * {@code /v1/messages} request or an OpenAI chat request become Converse {@code cachePoint} blocks, and Bedrock's
 * {@code cacheReadInputTokens}/{@code cacheWriteInputTokens} come back in each API's usage.
 */
class ProxyServerBedrockCacheTest {
    private static final String POINT = "{\"cachePoint\":{\"type\":\"default\"}}";
    private static final String CONTROLS = "{\\\"mock_chunks\\\":2,\\\"mock_usage\\\":{\\\"prompt_tokens\\\":5,"
            + "\\\"cache_read_input_tokens\\\":100,\\\"cache_creation_input_tokens\\\":20}}";

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: claude
                    litellm_params:
                      model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0
                      api_base: %1$s
                      aws_access_key_id: %2$s
                      aws_secret_access_key: %3$s
                      aws_region_name: us-east-1
                """.formatted(mock.origin(), BedrockExchanges.ACCESS_KEY_ID, BedrockExchanges.SECRET_ACCESS_KEY))
                .start();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldSendCachePointsForAMessagesRequestsMarksAndReportTheCacheTokensInAnthropicsUsage() {
        String mark = ",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}";
        String request = "{\"model\":\"claude\",\"max_tokens\":64,"
                + "\"system\":[{\"type\":\"text\",\"text\":\"Long rules\"" + mark + "}],"
                + "\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}" + mark + "}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + CONTROLS + "\""
                + mark + "}]}]";

        HttpResponse<String> plain = proxy.post("/v1/messages", request + "}");
        HttpResponse<String> streamed = proxy.post("/v1/messages", request + ",\"stream\":true}");

        assertThat(plain.statusCode()).isEqualTo(200);
        String converse = mock.requests().get(0).body();
        String ttlPoint = "{\"cachePoint\":{\"type\":\"default\",\"ttl\":\"1h\"}}";
        assertThat(converse).contains("\"system\":[{\"text\":\"Long rules\"}," + ttlPoint + "]")
                .contains("\"content\":[{\"text\":\"" + CONTROLS + "\"}," + ttlPoint + "]")
                .contains("\"json\":{\"type\":\"object\"}}}}," + ttlPoint + "]").doesNotContain("cache_control");
        assertThat(plain.body()).contains("\"usage\":{\"input_tokens\":5,\"output_tokens\":2,"
                + "\"cache_creation_input_tokens\":20,\"cache_read_input_tokens\":100}");
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).contains("\"cache_read_input_tokens\":100")
                .contains("\"cache_creation_input_tokens\":20");
    }

    @Test
    void shouldSendCachePointsForAChatRequestsMarksAndReportTheCachedTokens() {
        String mark = ",\"cache_control\":{\"type\":\"ephemeral\"}";
        HttpResponse<String> response = proxy.post("/v1/chat/completions", "{\"model\":\"claude\",\"messages\":["
                + "{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"Long rules\"" + mark + "}]},"
                + "{\"role\":\"user\",\"content\":\"" + CONTROLS + "\"" + mark + "}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}" + mark + "}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(mock.requests().get(0).body())
                .contains("\"system\":[{\"text\":\"Long rules\"}," + POINT + "]")
                .contains("\"content\":[{\"text\":\"" + CONTROLS + "\"}," + POINT + "]")
                .contains("\"properties\":{}}}}}," + POINT + "]");
        assertThat(response.body()).contains("\"usage\":{\"prompt_tokens\":125,\"completion_tokens\":2,"
                + "\"total_tokens\":127,\"prompt_tokens_details\":{\"cached_tokens\":100},"
                + "\"cache_creation_input_tokens\":20,\"cache_read_input_tokens\":100}");
    }
}
