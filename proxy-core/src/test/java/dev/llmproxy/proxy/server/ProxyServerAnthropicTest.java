package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

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
 * An {@code anthropic/} deployment end to end over real sockets: OpenAI-SDK-shaped requests to the proxy, Anthropic's
 * Messages API spoken to the mock provider, OpenAI answers back.
 */
class ProxyServerAnthropicTest {
    /** What the OpenAI Python SDK sends for a chat with a system prompt. */
    private static final String CHAT = "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
            + "{\"role\":\"user\",\"content\":\"Say hi\"}],\"model\":\"claude\",\"max_tokens\":64,\"temperature\":0.2";
    private static final String TOOLS = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"description\":\"Current weather\",\"parameters\":{\"type\":\"object\",\"properties\":"
            + "{\"city\":{\"type\":\"string\"}}}}}],\"tool_choice\":\"required\"";
    private static final String CHUNK_HEAD = "data: {\"id\":\"msg_mock01\",\"object\":\"chat.completion.chunk\","
            + "\"created\":";

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
                      model: anthropic/claude-sonnet-4-5
                      api_base: %s
                      api_key: sk-ant-api03-test
                  - model_name: claude-env
                    litellm_params:
                      model: anthropic/claude-haiku-4-5
                """.formatted(mock.origin()))
                .env(Map.of("ANTHROPIC_API_BASE", mock.origin(), "ANTHROPIC_API_KEY", "sk-ant-from-env"))
                .start();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldAnswerChatCompletionWhenAnthropicAnswersMessage() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", CHAT + ",\"mock_chunks\":3}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue("claude");
        assertThat(response.body()).startsWith("{\"id\":\"msg_mock01\",\"object\":\"chat.completion\",\"created\":")
                .contains("\"model\":\"claude-sonnet-4-5\",\"choices\":[{\"index\":0,"
                        + "\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"tok tok tok \"},\"logprobs\":null,\"finish_reason\":\"stop\"}]")
                .endsWith("\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3,\"total_tokens\":13,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"cache_creation_input_tokens\":0,"
                        + "\"cache_read_input_tokens\":0}}");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1/messages");
        assertThat(upstream.header("x-api-key")).isEqualTo("sk-ant-api03-test");
        assertThat(upstream.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(upstream.header("authorization")).isNull();
        assertThat(upstream.body()).isEqualTo("{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"Say hi\"}]}],\"system\":[{\"type\":\"text\","
                + "\"text\":\"Be brief.\"}],\"max_tokens\":64,\"temperature\":0.2,\"mock_chunks\":3}");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.status()).isEqualTo(200);
        assertThat(call.usage()).isEqualTo(Usage.of(10, 3));
    }

    @Test
    void shouldUseEnvironmentKeyAndBaseWhenDeploymentHasNone() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions",
                CHAT.replace("\"claude\"", "\"claude-env\"") + "}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"model\":\"claude-haiku-4-5\"");
        assertThat(mock.requests().get(0).header("x-api-key")).isEqualTo("sk-ant-from-env");
    }

    @Test
    void shouldStreamChunksAsTheyArriveWhenClientStreams() throws Exception {
        String body = CHAT + ",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"mock_chunks\":4,"
                + "\"mock_hold_after_chunks\":2,\"mock_hold_ms\":1500}";
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
        assertThat(mock.requests().get(0).body()).contains("\"stream\":true").doesNotContain("stream_options");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.stream()).isTrue();
        assertThat(call.usage()).isEqualTo(Usage.of(10, 4));
    }

    @Test
    void shouldLeaveUsageChunkOutWhenClientDidNotAskForIt() {
        HttpResponse<String> response =
                proxy.post("/v1/chat/completions", CHAT + ",\"stream\":true,\"mock_chunks\":2}");

        assertThat(response.body()).doesNotContain("\"usage\"").doesNotContain("event:")
                .endsWith("\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        assertThat(proxy.awaitCalls(1).usage()).isEqualTo(Usage.of(10, 2));
    }

    @Test
    void shouldReturnToolCallsWhenAnthropicCallsATool() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", CHAT + TOOLS
                + ",\"mock_tool_call\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{"
                + "\"id\":\"toolu_mock01\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"logprobs\":null,"
                + "\"finish_reason\":\"tool_calls\"}");
        assertThat(mock.requests().get(0).body()).contains("\"tools\":[{\"name\":\"get_weather\","
                + "\"description\":\"Current weather\",\"input_schema\":{\"type\":\"object\",\"properties\":"
                + "{\"city\":{\"type\":\"string\"}}}}],\"tool_choice\":{\"type\":\"any\"}");
    }

    @Test
    void shouldStreamToolCallArgumentsWhenAnthropicCallsAToolInAStream() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", CHAT + TOOLS + ",\"stream\":true,"
                + "\"mock_chunks\":3,\"mock_tool_call\":{\"name\":\"get_weather\","
                + "\"arguments\":{\"city\":\"Paris\"}}}");

        String body = response.body();
        assertThat(body).contains("\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"toolu_mock01\","
                + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}")
                .contains("\"finish_reason\":\"tool_calls\"").endsWith("data: [DONE]\n\n");
        StringBuilder arguments = new StringBuilder();
        java.util.regex.Matcher piece = java.util.regex.Pattern
                .compile("\\{\"index\":0,\"function\":\\{\"arguments\":\"((?:[^\"\\\\]|\\\\.)*)\"\\}")
                .matcher(body);
        while (piece.find()) {
            arguments.append(piece.group(1));
        }
        assertThat(arguments.toString()).isEqualTo("{\\\"city\\\":\\\"Paris\\\"}");
    }

    @Test
    void shouldAnswerOpenAiError500WhenAnthropicIsOverloaded() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", CHAT + ",\"mock_status\":529}");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{\"error\":{\"message\":\"AnthropicException - Overloaded\","
                + "\"type\":\"overloaded_error\",\"param\":null,\"code\":\"500\"}}");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.status()).isEqualTo(500);
    }

    @Test
    void shouldAnswerOpenAiErrorWhenStreamedRequestIsRefused() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions",
                CHAT + ",\"stream\":true,\"mock_status\":429,\"mock_error_message\":\"Rate limited\"}");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.body()).isEqualTo("{\"error\":{\"message\":\"AnthropicException - Rate limited\","
                + "\"type\":\"rate_limit_error\",\"param\":null,\"code\":\"429\"}}");
    }

    @Test
    void shouldEndStreamWithErrorEventWhenAnthropicFailsMidStream() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions",
                CHAT + ",\"stream\":true,\"mock_chunks\":3,\"mock_error_after_chunks\":1}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"delta\":{\"content\":\"tok \"}")
                .endsWith("data: {\"error\":{\"message\":\"AnthropicException - Overloaded\","
                        + "\"type\":\"overloaded_error\",\"param\":null,\"code\":\"500\"}}\n\n")
                .doesNotContain("[DONE]");
        assertThat(proxy.awaitCalls(1).usage()).isEqualTo(Usage.of(10, 1));
    }
}
