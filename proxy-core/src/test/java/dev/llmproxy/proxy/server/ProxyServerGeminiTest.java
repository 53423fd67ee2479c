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
 * {@code gemini/} deployments end to end over real sockets: OpenAI-SDK-shaped requests to the proxy, the Gemini API
 * spoken to the mock provider, OpenAI answers back. The mock is steered by a user message holding {@code mock_*}
 * controls, the only part of a request that reaches Gemini as it was written.
 */
class ProxyServerGeminiTest {
    private static final String CHUNK_HEAD = "data: {\"id\":\"mock-gemini-01\",\"object\":\"chat.completion.chunk\","
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
                  - model_name: gemini
                    litellm_params:
                      model: gemini/gemini-2.5-flash
                      api_base: %1$s
                      api_key: AIza-test
                  - model_name: gemini-env
                    litellm_params:
                      model: gemini/gemini-2.5-pro
                  - model_name: gemini-lenient
                    litellm_params:
                      model: gemini/gemini-2.5-flash
                      api_base: %1$s
                      api_key: AIza-test
                      drop_params: true
                      additional_drop_params: ["temperature"]
                  - model_name: "gemini/*"
                    litellm_params:
                      model: "gemini/*"
                      api_base: %1$s
                      api_key: AIza-test
                """.formatted(mock.origin()))
                .env(Map.of("GEMINI_API_BASE", mock.origin(), "GEMINI_API_KEY", "AIza-from-env"))
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
    void shouldAnswerChatCompletionWhenGeminiAnswers() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions",
                chat("gemini", "{\"mock_chunks\":3,\"mock_thought_tokens\":5}", ",\"temperature\":0.2"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue("gemini");
        assertThat(response.body()).startsWith("{\"id\":\"mock-gemini-01\",\"object\":\"chat.completion\",\"created\":")
                .contains("\"model\":\"gemini-2.5-flash\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                        + "\"assistant\",\"content\":\"tok tok tok \"},\"logprobs\":null,\"finish_reason\":\"stop\"}]")
                .endsWith("\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":8,\"total_tokens\":18,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":0},"
                        + "\"completion_tokens_details\":{\"reasoning_tokens\":5}}}");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
        assertThat(upstream.header("x-goog-api-key")).isEqualTo("AIza-test");
        assertThat(upstream.header("authorization")).isNull();
        assertThat(upstream.body()).isEqualTo("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Say hi\"},"
                + "{\"text\":\"{\\\"mock_chunks\\\":3,\\\"mock_thought_tokens\\\":5}\"}]}],\"systemInstruction\":"
                + "{\"parts\":[{\"text\":\"Be brief.\"}]},\"generationConfig\":{\"temperature\":0.2,"
                + "\"maxOutputTokens\":64}}");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.status()).isEqualTo(200);
        assertThat(call.usage()).isEqualTo(new Usage(10, 8, 18));
    }

    @Test
    void shouldUseEnvironmentKeyAndBaseWhenDeploymentHasNone() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", chat("gemini-env", "{}", ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(mock.requests().get(0).uri()).isEqualTo("/v1beta/models/gemini-2.5-pro:generateContent");
        assertThat(mock.requests().get(0).header("x-goog-api-key")).isEqualTo("AIza-from-env");
    }

    @Test
    void shouldStreamChunksAsTheyArriveWhenClientStreams() throws Exception {
        String body = chat("gemini", "{\"mock_chunks\":4,\"mock_hold_after_chunks\":2,\"mock_hold_ms\":1500}",
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
                .isEqualTo("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.stream()).isTrue();
        assertThat(call.usage()).isEqualTo(new Usage(10, 4, 14));
    }

    @Test
    void shouldReturnToolCallsWhenGeminiCallsAFunction() {
        String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
                + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],\"tool_choice\":\"required\"";
        String controls = "{\"mock_tool_call\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}}";

        HttpResponse<String> plain = proxy.post("/v1/chat/completions", chat("gemini", controls, tools));
        HttpResponse<String> streamed = proxy.post("/v1/chat/completions",
                chat("gemini", controls, tools + ",\"stream\":true"));

        assertThat(plain.body()).contains("\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{"
                + "\"id\":\"call_mock-gemini-01_0\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"logprobs\":null,"
                + "\"finish_reason\":\"tool_calls\"}");
        assertThat(streamed.body()).contains("\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_mock-gemini-01_0\","
                + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
                + "\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}").contains("\"finish_reason\":\"tool_calls\"")
                .endsWith("data: [DONE]\n\n");
        assertThat(mock.requests().get(0).body()).contains("\"tools\":[{\"functionDeclarations\":[{\"name\":"
                + "\"get_weather\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":"
                + "\"string\"}}}}]}],\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"ANY\"}}");
    }

    @Test
    void shouldAnswerOpenAiErrorWithGoogleStatusWhenGeminiRefuses() {
        HttpResponse<String> limited = proxy.post("/v1/chat/completions", chat("gemini", "{\"mock_status\":429}", ""));
        HttpResponse<String> badKey = proxy.post("/v1/chat/completions", chat("gemini", "{\"mock_status\":400,"
                + "\"mock_error_message\":\"API key not valid. Please pass a valid API key.\"}", ",\"stream\":true"));

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).isEqualTo("{\"error\":{\"message\":\"GeminiException - Resource has been "
                + "exhausted (e.g. check quota).\",\"type\":\"rate_limit_error\",\"param\":null,\"code\":\"429\"}}");
        assertThat(badKey.statusCode()).isEqualTo(401);
        assertThat(badKey.body()).contains("\"type\":\"authentication_error\"");
        assertThat(proxy.awaitCalls(2)).extracting(CallRecord::status).isEqualTo(401);
    }

    @Test
    void shouldEndStreamWithErrorEventWhenGeminiFailsOrStopsMidStream() {
        HttpResponse<String> failed = proxy.post("/v1/chat/completions",
                chat("gemini", "{\"mock_chunks\":3,\"mock_error_after_chunks\":1}", ",\"stream\":true"));
        HttpResponse<String> cut = proxy.post("/v1/chat/completions",
                chat("gemini", "{\"mock_chunks\":3,\"mock_cut_after_chunks\":2}", ",\"stream\":true"));

        assertThat(failed.statusCode()).isEqualTo(200);
        assertThat(failed.body()).contains("\"delta\":{\"content\":\"tok \"}")
                .endsWith("data: {\"error\":{\"message\":\"GeminiException - Resource has been exhausted (e.g. "
                        + "check quota).\",\"type\":\"rate_limit_error\",\"param\":null,\"code\":\"429\"}}\n\n")
                .doesNotContain("[DONE]");
        assertThat(cut.body()).contains("\"delta\":{\"content\":\"tok \"}").doesNotContain("[DONE]")
                .contains("\"error\"");
    }

    @Test
    void shouldTranslateEmbeddingsThroughBatchEmbedContents() {
        HttpResponse<String> response = proxy.post("/v1/embeddings",
                "{\"model\":\"gemini/text-embedding-004\",\"input\":[\"a\",\"b\"],\"dimensions\":3}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                + "\"embedding\":[-0.5,-0.375,-0.25]},{\"object\":\"embedding\",\"index\":1,\"embedding\":"
                + "[-0.5,-0.375,-0.25]}],\"model\":\"text-embedding-004\",\"usage\":{\"prompt_tokens\":0,"
                + "\"total_tokens\":0}}");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1beta/models/text-embedding-004:batchEmbedContents");
        assertThat(upstream.body()).isEqualTo("{\"requests\":[{\"model\":\"models/text-embedding-004\",\"content\":"
                + "{\"parts\":[{\"text\":\"a\"}]},\"outputDimensionality\":3},{\"model\":\"models/text-embedding-004\","
                + "\"content\":{\"parts\":[{\"text\":\"b\"}]},\"outputDimensionality\":3}]}");
    }

    @Test
    void shouldRouteWildcardModelToItsGeminiModel() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions",
                chat("gemini/gemini-2.0-flash", "{}", ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"model\":\"gemini-2.0-flash\"");
        assertThat(mock.requests().get(0).uri()).isEqualTo("/v1beta/models/gemini-2.0-flash:generateContent");
    }

    @Test
    void shouldRefuseUnsupportedParamWithLiteLlmErrorUnlessDropParamsIsOn() {
        HttpResponse<String> refused = proxy.post("/v1/chat/completions",
                chat("gemini", "{}", ",\"logit_bias\":{\"1\":2}"));
        HttpResponse<String> askedToDrop = proxy.post("/v1/chat/completions",
                chat("gemini", "{}", ",\"logit_bias\":{\"1\":2},\"drop_params\":true"));
        HttpResponse<String> lenient = proxy.post("/v1/chat/completions",
                chat("gemini-lenient", "{}", ",\"logit_bias\":{\"1\":2},\"temperature\":0.3"));

        assertThat(refused.statusCode()).isEqualTo(400);
        // LiteLLM's message, then the router's note of what it tried, as LiteLLM's router appends it.
        assertThat(refused.body()).startsWith("{\"error\":{\"message\":\"litellm.UnsupportedParamsError: gemini "
                + "does not support parameters: ['logit_bias'], for model=gemini-2.5-flash. To drop these, set "
                + "`litellm.drop_params=True` or for proxy:\\n\\n`litellm_settings:\\n drop_params: true`\\n. "
                + "Received Model Group=gemini, Available Model Group Fallbacks=None. LiteLLM Retried: 0 times, "
                + "Fallbacks tried: 0\",\"type\":\"bad_request_error\",\"param\":null,\"code\":\"400\"}}");
        assertThat(askedToDrop.statusCode()).isEqualTo(200);
        assertThat(lenient.statusCode()).isEqualTo(200);
        assertThat(mock.requests()).hasSize(2).allSatisfy(request -> assertThat(request.body())
                .doesNotContain("logit").doesNotContain("temperature"));
        assertThat(proxy.awaitCalls(3).status()).isEqualTo(200);
    }
}
