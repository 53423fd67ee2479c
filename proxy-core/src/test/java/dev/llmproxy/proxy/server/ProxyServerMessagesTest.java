package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockFault;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.provider.Endpoint;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/messages} end to end over real sockets, with requests as the official Anthropic Python SDK sends
 * them (its headers included): relayed as they are to an Anthropic deployment, translated to OpenAI chat for an
 * OpenAI one, and answered in Anthropic's shapes either way.
 */
class ProxyServerMessagesTest {
    private static final String MASTER_KEY = "sk-master-4321";
    /** {@code client.messages.create(model=..., max_tokens=1024, messages=[...])}, the SDK's member order. */
    private static final String MESSAGE = "{\"max_tokens\":1024,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"Hello, Claude\"}],\"model\":\"%s\"";
    /** The headers the Anthropic Python SDK sends with every request, besides its key. */
    private static final String[] SDK_HEADERS = {"anthropic-version", "2023-06-01", "accept", "application/json",
        "user-agent", "Anthropic/Python 0.69.0", "x-stainless-lang", "python", "x-stainless-retry-count", "0"};

    @TempDir
    Path dir;

    private MockProvider mock;
    private MockProvider paced;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        paced = MockProvider.start(MockProviderConfig.builder().recordRequests(true).streamChunks(4)
                .streamChunkIntervalMillis(400).build());
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: claude
                    litellm_params:
                      model: anthropic/claude-sonnet-4-5
                      api_base: %1$s
                      api_key: sk-ant-api03-test
                  - model_name: gpt
                    litellm_params:
                      model: openai/gpt-4o
                      api_base: %2$s
                      api_key: sk-openai-test
                  - model_name: gpt-paced
                    litellm_params:
                      model: openai/gpt-4o
                      api_base: %3$s
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
                """.formatted(mock.origin(), mock.baseUrl(), paced.baseUrl(), MASTER_KEY));
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        paced.close();
        mock.close();
    }

    @Test
    void shouldRelayMessageAsItIsWhenDeploymentIsAnthropic() {
        HttpResponse<String> response = proxy.post("/v1/messages", MESSAGE.formatted("claude") + ",\"mock_chunks\":3}",
                sdk("x-api-key", MASTER_KEY, "anthropic-beta", "prompt-caching-2024-07-31"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue("claude");
        assertThat(response.body()).startsWith("{\"id\":\"msg_mock01\",\"type\":\"message\"")
                .contains("\"content\":[{\"type\":\"text\",\"text\":\"tok tok tok \"}]");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1/messages");
        assertThat(upstream.body()).isEqualTo("{\"max_tokens\":1024,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Hello, Claude\"}],\"model\":\"claude-sonnet-4-5\",\"mock_chunks\":3}");
        assertThat(upstream.header("x-api-key")).isEqualTo("sk-ant-api03-test");
        assertThat(upstream.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(upstream.header("anthropic-beta")).isEqualTo("prompt-caching-2024-07-31");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.MESSAGES);
        assertThat(call.status()).isEqualTo(200);
        assertThat(call.usage()).isEqualTo(Usage.of(10, 3));
    }

    @Test
    void shouldRelayAnthropicEventsUnbufferedWhenClientStreamsFromAnthropic() throws Exception {
        String body = MESSAGE.formatted("claude") + ",\"stream\":true,\"mock_chunks\":4,"
                + "\"mock_hold_after_chunks\":2,\"mock_hold_ms\":1500}";
        List<ProxyServerStreamTest.TimedEvent> events;
        long sentNanos;
        try (RawClient client = new RawClient(proxy.port())) {
            sentNanos = System.nanoTime();
            client.send(RawClient.post("/v1/messages", body, headerLines(sdk("x-api-key", MASTER_KEY))));
            RawClient.Head head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers().get("content-type")).startsWith("text/event-stream");
            events = ProxyServerStreamTest.events(client.readTimedChunks());
        }

        assertThat(types(events)).startsWith("message_start", "content_block_start", "ping")
                .endsWith("content_block_stop", "message_delta", "message_stop");
        List<ProxyServerStreamTest.TimedEvent> deltas =
                events.stream().filter(e -> e.data().contains("\"text_delta\"")).toList();
        assertThat(deltas).hasSize(4);
        assertThat(TimeUnit.NANOSECONDS.toMillis(deltas.get(1).arrivedNanos() - sentNanos)).isLessThan(1000);
        assertThat(TimeUnit.NANOSECONDS.toMillis(deltas.get(2).arrivedNanos() - deltas.get(1).arrivedNanos()))
                .isGreaterThan(1000);
        assertThat(mock.requests().get(0).body()).contains("\"model\":\"claude-sonnet-4-5\"");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.stream()).isTrue();
        assertThat(call.usage()).isEqualTo(Usage.of(10, 4));
    }

    @Test
    void shouldTranslateToChatAndBackWhenDeploymentSpeaksOpenAi() {
        HttpResponse<String> response = proxy.post("/v1/messages", MESSAGE.formatted("gpt")
                + ",\"system\":\"Be brief.\",\"stop_sequences\":[\"END\"],\"metadata\":{\"user_id\":\"u-7\"}}",
                sdk("authorization", "Bearer " + MASTER_KEY, "anthropic-beta", "tools-2024-04-04"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("{\"id\":\"msg_").contains("\"type\":\"message\",\"role\":\"assistant\"")
                .contains("\"content\":[{\"type\":\"text\",\"text\":")
                .contains("\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).endsWith("/chat/completions");
        assertThat(upstream.body()).isEqualTo("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"system\","
                + "\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hello, Claude\"}],\"max_tokens\":1024,"
                + "\"stop\":[\"END\"],\"user\":\"u-7\"}");
        assertThat(upstream.header("anthropic-beta")).isNull();
        assertThat(upstream.header("authorization")).isEqualTo("Bearer sk-openai-test");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.MESSAGES);
        assertThat(call.usage()).isNotNull();
    }

    @Test
    void shouldTranslateThroughGeminiWhenDeploymentIsGemini() throws Exception {
        HttpResponse<String> plain = proxy.post("/v1/messages", MESSAGE.formatted("gemini") + "}",
                sdk("x-api-key", MASTER_KEY));
        List<ProxyServerStreamTest.TimedEvent> events;
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/messages", MESSAGE.formatted("gemini") + ",\"stream\":true}",
                    headerLines(sdk("x-api-key", MASTER_KEY))));
            assertThat(client.readHead().status()).isEqualTo(200);
            events = ProxyServerStreamTest.events(client.readTimedChunks());
        }

        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.body()).contains("\"type\":\"message\"").contains("{\"type\":\"text\",\"text\":")
                .contains("\"stop_reason\":\"end_turn\"");
        assertThat(mock.requests().get(0).uri()).contains("gemini-2.5-flash:generateContent");
        assertThat(types(events)).startsWith("message_start", "content_block_start", "ping", "content_block_delta")
                .endsWith("content_block_stop", "message_delta", "message_stop").doesNotContain("error");
        assertThat(proxy.awaitCalls(2).usage()).isNotNull();
    }

    @Test
    void shouldSendToolsAsFunctionsWhenClientOffersTools() {
        HttpResponse<String> response = proxy.post("/v1/messages", MESSAGE.formatted("gpt")
                + ",\"tools\":[{\"name\":\"get_weather\",\"description\":\"Weather\",\"input_schema\":"
                + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}],"
                + "\"tool_choice\":{\"type\":\"any\"}}", sdk("x-api-key", MASTER_KEY));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(mock.requests().get(0).body()).contains("\"tools\":[{\"type\":\"function\",\"function\":"
                + "{\"name\":\"get_weather\",\"description\":\"Weather\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"city\":{\"type\":\"string\"}}}}}],\"tool_choice\":\"required\"");
    }

    @Test
    void shouldStreamTranslatedEventsAsTheyArriveWhenDeploymentSpeaksOpenAi() throws Exception {
        String body = MESSAGE.formatted("gpt-paced") + ",\"stream\":true}";
        List<ProxyServerStreamTest.TimedEvent> events;
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/messages", body, headerLines(sdk("x-api-key", MASTER_KEY))));
            RawClient.Head head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers().get("content-type")).startsWith("text/event-stream");
            events = ProxyServerStreamTest.events(client.readTimedChunks());
        }

        List<String> types = types(events);
        assertThat(types).startsWith("message_start", "content_block_start", "ping", "content_block_delta")
                .endsWith("content_block_stop", "message_delta", "message_stop")
                .doesNotContain("error");
        List<ProxyServerStreamTest.TimedEvent> deltas =
                events.stream().filter(e -> e.data().contains("\"text_delta\"")).toList();
        assertThat(deltas).hasSizeGreaterThanOrEqualTo(3);
        long spreadMillis = TimeUnit.NANOSECONDS.toMillis(
                deltas.get(deltas.size() - 1).arrivedNanos() - deltas.get(0).arrivedNanos());
        assertThat(spreadMillis).as("first to last delta, ms (the provider paces them 400 ms apart)")
                .isGreaterThan(700);
        assertThat(paced.requests().get(0).body())
                .endsWith("\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(events.get(events.size() - 2).data()).contains("\"usage\":{\"input_tokens\":");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.stream()).isTrue();
        assertThat(call.usage()).isNotNull();
    }

    @Test
    void shouldAnswerInAnthropicErrorShapeWhenProviderRefuses() {
        mock.enqueueFaults(MockFault.status(429));

        HttpResponse<String> response =
                proxy.post("/v1/messages", MESSAGE.formatted("gpt") + "}", sdk("x-api-key", MASTER_KEY));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.body()).startsWith("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
                + "\"message\":");
    }

    @Test
    void shouldRelayAnthropicErrorAsItIsWhenAnthropicIsOverloaded() {
        HttpResponse<String> response = proxy.post("/v1/messages",
                MESSAGE.formatted("claude") + ",\"mock_status\":529}", sdk("x-api-key", MASTER_KEY));

        assertThat(response.statusCode()).isEqualTo(529);
        assertThat(response.body()).contains("\"type\":\"error\"").contains("overloaded_error");
    }

    @Test
    void shouldAnswerAnthropicErrorShapeWhenModelIsUnknownOrBodyIsNotMessages() {
        HttpResponse<String> unknown =
                proxy.post("/v1/messages", MESSAGE.formatted("nope") + "}", sdk("x-api-key", MASTER_KEY));
        HttpResponse<String> noMessages = proxy.post("/v1/messages", "{\"model\":\"gpt\",\"max_tokens\":5}",
                sdk("x-api-key", MASTER_KEY));
        HttpResponse<String> badBlocks = proxy.post("/v1/messages",
                "{\"model\":\"gpt\",\"max_tokens\":5,\"messages\":[1]}", sdk("x-api-key", MASTER_KEY));

        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).startsWith("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                + "\"message\":\"Invalid model name passed in model=nope");
        assertThat(noMessages.statusCode()).isEqualTo(400);
        assertThat(noMessages.body()).contains("\"invalid_request_error\"").contains("messages");
        assertThat(badBlocks.statusCode()).isEqualTo(400);
        assertThat(badBlocks.body()).contains("\"invalid_request_error\"");
        assertThat(mock.requests()).isEmpty();
    }

    @Test
    void shouldPassAnthropicBetaWhenOpenAiClientCallsAnthropicDeployment() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", "{\"model\":\"claude\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"Hi\"}]}", "authorization", "Bearer " + MASTER_KEY,
                "anthropic-beta", "context-1m-2025-08-07");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(mock.requests().get(0).header("anthropic-beta")).isEqualTo("context-1m-2025-08-07");
    }

    @Test
    void shouldRefuseWhenGatewayKeyIsMissing() {
        HttpResponse<String> response = proxy.post("/v1/messages", MESSAGE.formatted("gpt") + "}", SDK_HEADERS);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(mock.requests()).isEmpty();
    }

    private static String[] sdk(String... more) {
        String[] headers = new String[SDK_HEADERS.length + more.length];
        System.arraycopy(SDK_HEADERS, 0, headers, 0, SDK_HEADERS.length);
        System.arraycopy(more, 0, headers, SDK_HEADERS.length, more.length);
        return headers;
    }

    private static String headerLines(String[] pairs) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            lines.append(pairs[i]).append(": ").append(pairs[i + 1]).append("\r\n");
        }
        return lines.toString();
    }

    private static List<String> types(List<ProxyServerStreamTest.TimedEvent> events) {
        List<String> types = new ArrayList<>();
        for (ProxyServerStreamTest.TimedEvent event : events) {
            String data = event.data();
            if (data.startsWith("event: ")) {
                types.add(data.substring(7, data.indexOf('\n')));
            }
        }
        return types;
    }
}
