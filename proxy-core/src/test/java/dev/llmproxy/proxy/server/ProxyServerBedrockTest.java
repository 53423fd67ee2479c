package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.BedrockExchanges;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.call.CallRecord;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bedrock/} deployments end to end over real sockets: OpenAI-SDK-shaped requests to the proxy, Converse and
 * ConverseStream (SigV4-signed, verified by the mock; binary event-stream frames back) spoken to the mock provider,
 * OpenAI answers back. The mock is steered by a user message holding {@code mock_*} controls.
 */
class ProxyServerBedrockTest {
    private static final String CHUNK_HEAD = "data: {\"id\":\"chatcmpl-";

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
                      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0
                      api_base: %1$s
                      aws_access_key_id: %2$s
                      aws_secret_access_key: %3$s
                      aws_region_name: us-east-1
                  - model_name: profile
                    litellm_params:
                      model: bedrock/converse/us.anthropic.claude-3-7-sonnet-20250219-v1:0
                  - model_name: invoke
                    litellm_params:
                      model: bedrock/invoke/anthropic.claude-3-5-sonnet-20240620-v1:0
                      api_base: %1$s
                      aws_access_key_id: %2$s
                      aws_secret_access_key: %3$s
                      aws_region_name: us-east-1
                  - model_name: invoke-llama
                    litellm_params:
                      model: bedrock/invoke/meta.llama3-70b-instruct-v1:0
                      api_base: %1$s
                  - model_name: wrong-secret
                    litellm_params:
                      model: bedrock/amazon.nova-pro-v1:0
                      api_base: %1$s
                      aws_access_key_id: %2$s
                      aws_secret_access_key: not-the-secret
                """.formatted(mock.origin(), BedrockExchanges.ACCESS_KEY_ID, BedrockExchanges.SECRET_ACCESS_KEY))
                .env(Map.of("AWS_BEDROCK_RUNTIME_ENDPOINT", mock.origin(),
                        "AWS_ACCESS_KEY_ID", BedrockExchanges.ACCESS_KEY_ID,
                        "AWS_SECRET_ACCESS_KEY", BedrockExchanges.SECRET_ACCESS_KEY,
                        "AWS_SESSION_TOKEN", "session-token-1", "AWS_REGION", "eu-west-3"))
                .start();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    /** An OpenAI chat body for {@code model} whose last user message carries the mock's controls. */
    private static String chat(String model, String controls, String extra) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Say hi\"},{\"role\":\"user\",\"content\":\""
                + controls.replace("\"", "\\\"") + "\"}],\"max_tokens\":64" + extra + "}";
    }

    @Test
    void shouldAnswerChatCompletionWithSignedConverseRequest() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions",
                chat("claude", "{\"mock_chunks\":3}", ",\"temperature\":0.2,\"stop\":[\"END\"]"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.body()).startsWith("{\"id\":\"chatcmpl-")
                .contains("\"object\":\"chat.completion\"")
                .contains("\"model\":\"anthropic.claude-3-5-sonnet-20240620-v1:0\",\"choices\":[{\"index\":0,"
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"tok tok tok \"},\"logprobs\":null,"
                        + "\"finish_reason\":\"stop\"}]")
                .endsWith("\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3,\"total_tokens\":13,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"cache_creation_input_tokens\":0,"
                        + "\"cache_read_input_tokens\":0}}");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse");
        assertThat(upstream.header("authorization")).startsWith("AWS4-HMAC-SHA256 Credential="
                + BedrockExchanges.ACCESS_KEY_ID + "/").contains("/us-east-1/bedrock/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date, Signature=");
        assertThat(upstream.header("x-amz-security-token")).isNull();
        assertThat(upstream.body()).isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Say hi\"},"
                + "{\"text\":\"{\\\"mock_chunks\\\":3}\"}]}],\"system\":[{\"text\":\"Be brief.\"}],"
                + "\"inferenceConfig\":{\"maxTokens\":64,\"temperature\":0.2,\"stopSequences\":[\"END\"]}}");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.status()).isEqualTo(200);
        assertThat(call.usage()).isEqualTo(new Usage(10, 3, 13));
    }

    @Test
    void shouldUseEnvironmentCredentialsSessionTokenAndInferenceProfile() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", chat("profile", "{}", ""));

        assertThat(response.statusCode()).isEqualTo(200);
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse");
        assertThat(upstream.header("x-amz-security-token")).isEqualTo("session-token-1");
        assertThat(upstream.header("authorization")).contains("/eu-west-3/bedrock/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, ");
    }

    @Test
    void shouldStreamChunksAsTheyArriveWhenClientStreams() throws Exception {
        String body = chat("claude", "{\"mock_chunks\":4,\"mock_hold_after_chunks\":2,\"mock_hold_ms\":1500}",
                ",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
        List<ProxyServerStreamTest.TimedEvent> events;
        long sentNanos;
        try (RawClient client = new RawClient(proxy.port())) {
            sentNanos = System.nanoTime();
            client.send(RawClient.post("/v1/chat/completions", body, ""));
            RawClient.Head head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers().get("content-type")).startsWith("text/event-stream");
            events = ProxyServerStreamTest.events(client.readTimedChunks());
        }

        assertThat(events).allSatisfy(event -> assertThat(event.data())
                .matches(data -> data.startsWith(CHUNK_HEAD) || data.equals("data: [DONE]")));
        assertThat(events.get(0).data()).contains("\"delta\":{\"role\":\"assistant\",\"content\":\"\"}");
        List<ProxyServerStreamTest.TimedEvent> content =
                events.stream().filter(e -> e.data().contains("\"delta\":{\"content\":\"tok \"}")).toList();
        assertThat(content).hasSize(4);
        long secondMillis = TimeUnit.NANOSECONDS.toMillis(content.get(1).arrivedNanos() - sentNanos);
        long pauseMillis = TimeUnit.NANOSECONDS.toMillis(content.get(2).arrivedNanos() - content.get(1).arrivedNanos());
        assertThat(secondMillis).as("second content chunk arrival, ms after the request").isLessThan(1000);
        assertThat(pauseMillis).as("pause between the second and third content chunks, ms").isGreaterThan(1000);
        int last = events.size() - 1;
        assertThat(events.get(last).data()).isEqualTo("data: [DONE]");
        assertThat(events.get(last - 1).data()).contains("\"choices\":[],\"usage\":{\"prompt_tokens\":10,"
                + "\"completion_tokens\":4,\"total_tokens\":14");
        assertThat(events.get(last - 2).data()).contains("\"finish_reason\":\"stop\"");
        assertThat(mock.requests().get(0).uri())
                .isEqualTo("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.stream()).isTrue();
        assertThat(call.usage()).isEqualTo(new Usage(10, 4, 14));
    }

    @Test
    void shouldReturnToolCallsWhenTheModelUsesATool() {
        String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
                + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],\"tool_choice\":\"required\"";
        String controls = "{\"mock_tool_call\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}},"
                + "\"mock_chunks\":2}";

        HttpResponse<String> plain = proxy.post("/v1/chat/completions", chat("claude", controls, tools));
        HttpResponse<String> streamed = proxy.post("/v1/chat/completions",
                chat("claude", controls, tools + ",\"stream\":true"));

        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.body()).contains("\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{"
                + "\"id\":\"tooluse_mock1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"logprobs\":null,"
                + "\"finish_reason\":\"tool_calls\"}");
        assertThat(streamed.body()).contains("\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"tooluse_mock1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}")
                .contains("\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":")
                .contains("\"finish_reason\":\"tool_calls\"").endsWith("data: [DONE]\n\n");
        assertThat(mock.requests().get(0).body()).contains("\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":"
                + "\"get_weather\",\"description\":\"get_weather\",\"inputSchema\":{\"json\":{\"type\":\"object\","
                + "\"properties\":{\"city\":{\"type\":\"string\"}}}}}}],\"toolChoice\":{\"any\":{}}}");
    }

    @Test
    void shouldAnswer429WhenBedrockThrottles() {
        HttpResponse<String> limited = proxy.post("/v1/chat/completions", chat("claude", "{\"mock_status\":429}", ""));
        HttpResponse<String> limitedStream = proxy.post("/v1/chat/completions",
                chat("claude", "{\"mock_status\":429}", ",\"stream\":true"));

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).isEqualTo("{\"error\":{\"message\":\"BedrockException - Too many requests, "
                + "please wait before trying again.\",\"type\":\"rate_limit_error\",\"param\":null,\"code\":\"429\"}}");
        assertThat(limitedStream.statusCode()).isEqualTo(429);
        assertThat(proxy.awaitCalls(2).status()).isEqualTo(429);
    }

    @Test
    void shouldAnswer403WhenTheSignatureIsWrong() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", chat("wrong-secret", "{}", ""));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("BedrockException - The request signature we calculated does not "
                + "match the signature you provided.").contains("\"type\":\"permission_error\"");
        assertThat(mock.requests().get(0).uri()).isEqualTo("/model/amazon.nova-pro-v1%3A0/converse");
    }

    @Test
    void shouldEndStreamWithErrorEventWhenBedrockFailsOrIsCutMidStream() {
        HttpResponse<String> failed = proxy.post("/v1/chat/completions",
                chat("claude", "{\"mock_chunks\":3,\"mock_error_after_chunks\":1}", ",\"stream\":true"));
        HttpResponse<String> cut = proxy.post("/v1/chat/completions",
                chat("claude", "{\"mock_chunks\":3,\"mock_cut_after_chunks\":2}", ",\"stream\":true"));

        assertThat(failed.statusCode()).isEqualTo(200);
        assertThat(failed.body()).contains("\"delta\":{\"content\":\"tok \"}")
                .endsWith("data: {\"error\":{\"message\":\"BedrockException - throttlingException Too many "
                        + "requests, please wait before trying again.\",\"type\":\"rate_limit_error\","
                        + "\"param\":null,\"code\":\"429\"}}\n\n")
                .doesNotContain("[DONE]");
        assertThat(cut.body()).contains("\"delta\":{\"content\":\"tok \"}").doesNotContain("[DONE]")
                .contains("\"error\"");
    }

    @Test
    void shouldRefuseAnUnsupportedParamUnlessDropped() {
        HttpResponse<String> refused = proxy.post("/v1/chat/completions", chat("claude", "{}", ",\"seed\":3"));
        HttpResponse<String> dropped = proxy.post("/v1/chat/completions",
                chat("claude", "{}", ",\"seed\":3,\"drop_params\":true"));

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("litellm.UnsupportedParamsError: bedrock does not support parameters: "
                + "['seed'], for model=anthropic.claude-3-5-sonnet-20240620-v1:0.");
        assertThat(dropped.statusCode()).isEqualTo(200);
        assertThat(mock.requests()).hasSize(1);
    }

    @Test
    void shouldInvokeClaudeInAnthropicFormatWhenTheModelIsBedrockInvoke() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions",
                chat("invoke", "{\"mock_chunks\":2}", ",\"temperature\":0.5"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"chat.completion\"")
                .contains("\"message\":{\"role\":\"assistant\",\"content\":\"tok tok \"")
                .contains("\"finish_reason\":\"stop\"")
                .contains("\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,\"total_tokens\":12");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke");
        assertThat(upstream.header("authorization")).contains("/us-east-1/bedrock/aws4_request, ");
        assertThat(upstream.body()).startsWith("{\"anthropic_version\":\"bedrock-2023-05-31\",\"messages\":[")
                .contains("\"system\":[{\"type\":\"text\",\"text\":\"Be brief.\"}]")
                .contains("\"max_tokens\":64").contains("\"temperature\":0.5")
                .doesNotContain("\"model\"").doesNotContain("\"stream\"");
        assertThat(proxy.awaitCalls(1).usage()).isEqualTo(new Usage(10, 2, 12));
    }

    @Test
    void shouldStreamInvokeChunksDecodedFromBase64EventsWhenClientStreams() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", chat("invoke", "{\"mock_chunks\":3}",
                ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().split("\"delta\":\\{\"content\":\"tok \"\\}", -1)).hasSize(4);
        assertThat(response.body()).contains("\"finish_reason\":\"stop\"")
                .contains("\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3,"
                        + "\"total_tokens\":13")
                .endsWith("data: [DONE]\n\n");
        assertThat(mock.requests().get(0).uri())
                .isEqualTo("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke-with-response-stream");
        assertThat(mock.requests().get(0).body()).doesNotContain("\"stream\"");
        assertThat(proxy.awaitCalls(1).usage()).isEqualTo(new Usage(10, 3, 13));
    }

    @Test
    void shouldEndAnInvokeStreamWithAnErrorEventWhenBedrockFailsMidStream() {
        HttpResponse<String> failed = proxy.post("/v1/chat/completions",
                chat("invoke", "{\"mock_chunks\":3,\"mock_error_after_chunks\":1}", ",\"stream\":true"));

        assertThat(failed.body()).contains("\"delta\":{\"content\":\"tok \"}")
                .endsWith("data: {\"error\":{\"message\":\"BedrockException - throttlingException Too many "
                        + "requests, please wait before trying again.\",\"type\":\"rate_limit_error\","
                        + "\"param\":null,\"code\":\"429\"}}\n\n");
    }

    @Test
    void shouldRefuseInvokeForModelsOtherThanClaude() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", chat("invoke-llama", "{}", ""));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("bedrock/invoke/ is supported for Anthropic Claude models only");
        assertThat(mock.requests()).isEmpty();
    }
}
