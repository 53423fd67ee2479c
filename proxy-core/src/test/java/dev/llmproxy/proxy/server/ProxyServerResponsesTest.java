package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.responses.ManagedResponseIds;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.provider.Endpoint;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/responses} end to end over real sockets, with the bodies the official OpenAI SDKs send
 * ({@code client.responses.create(model=..., input=..., instructions=..., stream=...)}): relayed to OpenAI and Azure
 * deployments, bridged to chat for Anthropic and Gemini ones, and refused by {@code model_info.mode} where a model
 * has another mode.
 */
class ProxyServerResponsesTest {
    private static final List<String> TEXT_EVENTS = List.of("response.created", "response.in_progress",
            "response.output_item.added", "response.content_part.added", "response.output_text.delta",
            "response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
            "response.output_text.done", "response.content_part.done", "response.output_item.done",
            "response.completed");

    /** What the proxy calls the mock's response {@code resp_mock01} made by deployment {@code gpt-1}. */
    private static final String GPT_ID = ManagedResponseIds.encode("openai", "gpt-1", "resp_mock01");

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: gpt
                    litellm_params:
                      model: openai/gpt-4.1
                      api_base: %1$s/v1
                      api_key: sk-test
                    model_info:
                      id: gpt-1
                  - model_name: pair
                    litellm_params:
                      model: openai/gpt-4.1
                      api_base: %1$s/v1
                      api_key: sk-a
                    model_info:
                      id: pair-a
                  - model_name: pair
                    litellm_params:
                      model: openai/gpt-4.1
                      api_base: %1$s/v1
                      api_key: sk-b
                    model_info:
                      id: pair-b
                  - model_name: azure-gpt
                    litellm_params:
                      model: azure/my-gpt
                      api_base: %1$s
                      api_key: azure-key
                      api_version: 2025-04-01-preview
                    model_info:
                      id: azure-1
                  - model_name: claude
                    litellm_params:
                      model: anthropic/claude-sonnet-4-5
                      api_base: %1$s
                      api_key: sk-ant-test
                    model_info:
                      id: claude-1
                  - model_name: gemini
                    litellm_params:
                      model: gemini/gemini-2.5-flash
                      api_base: %1$s
                      api_key: AIza-test
                  - model_name: embedder
                    litellm_params:
                      model: openai/text-embedding-3-small
                      api_base: %1$s/v1
                      api_key: sk-test
                    model_info:
                      mode: embedding
                  - model_name: chatty
                    litellm_params:
                      model: openai/gpt-4.1
                      api_base: %1$s/v1
                      api_key: sk-test
                    model_info:
                      mode: chat
                  - model_name: mocked
                    litellm_params:
                      model: openai/gpt-4.1
                      mock_response: "Hello from the mock"
                """.formatted(mock.origin())).start();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldRelayOpenAiResponseWithTheModelRewrittenAndAnIdNamingTheDeployment() {
        HttpResponse<String> response = proxy.post("/v1/responses",
                "{\"model\":\"gpt\",\"input\":\"Say hi\",\"mock_chunks\":3}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("{\"id\":\"" + GPT_ID + "\",\"object\":\"response\"")
                .contains("\"text\":\"tok tok tok \"").contains("\"total_tokens\":13");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1/responses");
        assertThat(upstream.body()).isEqualTo("{\"model\":\"gpt-4.1\",\"input\":\"Say hi\",\"mock_chunks\":3}");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.RESPONSES);
        assertThat(call.usage()).isEqualTo(Usage.of(10, 3));
    }

    @Test
    void shouldCallAzureResponsesEndpointWithItsApiVersion() {
        HttpResponse<String> response = proxy.post("/responses", "{\"model\":\"azure-gpt\",\"input\":\"Hi\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/openai/responses?api-version=2025-04-01-preview");
        assertThat(upstream.body()).isEqualTo("{\"model\":\"my-gpt\",\"input\":\"Hi\"}");
    }

    @Test
    void shouldRelayOpenAiEventsAsTheyArriveAndRecordUsageFromTheCompletedEvent() throws Exception {
        List<ProxyServerStreamTest.TimedEvent> events = stream("{\"model\":\"gpt\",\"input\":\"Say hi\","
                + "\"stream\":true,\"mock_chunks\":4,\"mock_hold_after_chunks\":2,\"mock_hold_ms\":1500}");

        assertThat(types(events)).containsExactlyElementsOf(TEXT_EVENTS);
        assertPausedAfterSecondDelta(events);
        assertThat(events.get(0).data()).contains("\"response\":{\"id\":\"" + GPT_ID + "\"");
        assertThat(events.get(events.size() - 1).data()).contains("\"response\":{\"id\":\"" + GPT_ID + "\"");
        assertThat(events.get(4).data()).contains("\"item_id\":\"msg_mock01\"");
        assertThat(mock.requests().get(0).body()).doesNotContain("stream_options");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.stream()).isTrue();
        assertThat(call.usage()).isEqualTo(Usage.of(10, 4));
    }

    @Test
    void shouldEndACutOpenAiStreamWithTheResponsesErrorEventAndResponseFailed() throws Exception {
        List<ProxyServerStreamTest.TimedEvent> events = stream("{\"model\":\"gpt\",\"input\":\"Say hi\","
                + "\"stream\":true,\"mock_chunks\":4,\"mock_cut_after_chunks\":2}");

        assertThat(types(events)).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.delta", "error", "response.failed");
        assertThat(events.get(6).data()).isEqualTo("event: error\ndata: {\"type\":\"error\",\"code\":\"503\","
                + "\"message\":\"The provider closed the connection before the response was complete\","
                + "\"param\":null,\"sequence_number\":6}");
        String failed = events.get(7).data();
        assertThat(failed).startsWith("event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{"
                + "\"id\":\"" + GPT_ID + "\"").endsWith(",\"sequence_number\":7}");
        assertThat(failed).contains("\"status\":\"failed\"").contains("\"error\":{\"code\":\"server_error\","
                + "\"message\":\"The provider closed the connection before the response was complete\"}");
        assertThat(events).noneMatch(event -> event.data().startsWith("data: "));
    }

    @Test
    void shouldRelayTheProvidersErrorEventWithNothingAfterIt() throws Exception {
        List<ProxyServerStreamTest.TimedEvent> events = stream("{\"model\":\"gpt\",\"input\":\"Say hi\","
                + "\"stream\":true,\"mock_chunks\":4,\"mock_error_after_chunks\":1}");

        assertThat(types(events)).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta", "error");
        assertThat(events.get(5).data()).contains("\"code\":\"server_error\"");
    }

    @Test
    void shouldBridgeToAnthropicAndRebuildTheResponse() {
        HttpResponse<String> response = proxy.post("/v1/responses", "{\"model\":\"claude\",\"input\":\"Say hi\","
                + "\"instructions\":\"Be brief.\",\"max_output_tokens\":64,\"mock_chunks\":3}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("{\"id\":\"resp_").contains("\"object\":\"response\"")
                .contains("\"status\":\"completed\"").contains("\"model\":\"claude-sonnet-4-5\"")
                .contains("\"content\":[{\"type\":\"output_text\",\"text\":\"tok tok tok \",\"annotations\":[]}]")
                .contains("\"usage\":{\"input_tokens\":10,\"input_tokens_details\":{\"cached_tokens\":0},"
                        + "\"output_tokens\":3,");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1/messages");
        assertThat(upstream.body()).isEqualTo("{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"Say hi\"}]}],\"system\":[{\"type\":\"text\","
                + "\"text\":\"Be brief.\"}],\"max_tokens\":64,\"mock_chunks\":3}");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.RESPONSES);
        assertThat(call.usage()).isEqualTo(Usage.of(10, 3));
    }

    @Test
    void shouldStreamBridgedAnthropicEventsAsTheyArrive() throws Exception {
        List<ProxyServerStreamTest.TimedEvent> events = stream("{\"model\":\"claude\",\"input\":\"Say hi\","
                + "\"stream\":true,\"mock_chunks\":4,\"mock_hold_after_chunks\":2,\"mock_hold_ms\":1500}");

        assertThat(types(events)).containsExactlyElementsOf(TEXT_EVENTS);
        assertPausedAfterSecondDelta(events);
        String completed = events.get(events.size() - 1).data();
        assertThat(completed).contains("\"status\":\"completed\"").contains("\"text\":\"tok tok tok tok \"")
                .contains("\"input_tokens\":10").contains("\"output_tokens\":4");
        assertThat(mock.requests().get(0).body()).contains("\"stream\":true");
        assertThat(proxy.awaitCalls(1).usage()).isEqualTo(Usage.of(10, 4));
    }

    @Test
    void shouldBridgeToGeminiPlainAndStreamed() throws Exception {
        HttpResponse<String> plain = proxy.post("/v1/responses",
                "{\"model\":\"gemini\",\"input\":\"{\\\"mock_chunks\\\":2}\"}");
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.body()).contains("\"object\":\"response\"").contains("\"type\":\"output_text\"");
        assertThat(mock.requests().get(0).uri()).contains("/models/gemini-2.5-flash:generateContent");

        List<ProxyServerStreamTest.TimedEvent> events = stream("{\"model\":\"gemini\",\"stream\":true,\"input\":"
                + "\"{\\\"mock_chunks\\\":4,\\\"mock_hold_after_chunks\\\":2,\\\"mock_hold_ms\\\":1500}\"}");
        List<String> types = types(events);
        assertThat(types.get(0)).isEqualTo("response.created");
        assertThat(types.get(types.size() - 1)).isEqualTo("response.completed");
        assertThat(types).contains("response.output_text.delta", "response.output_text.done");
        List<ProxyServerStreamTest.TimedEvent> deltas = events.stream()
                .filter(e -> e.data().startsWith("event: response.output_text.delta")).toList();
        long pause = TimeUnit.NANOSECONDS.toMillis(deltas.get(deltas.size() - 1).arrivedNanos()
                - deltas.get(0).arrivedNanos());
        assertThat(pause).as("the stream's hold reached the client as a pause, ms").isGreaterThan(1000);
    }

    @Test
    void shouldBridgeFunctionToolsAndRebuildTheCallAsAnItem() {
        String body = "{\"model\":\"claude\",\"input\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}],"
                + "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"description\":\"Weather\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}],"
                + "\"tool_choice\":\"required\",\"mock_tool_call\":{\"name\":\"get_weather\",\"arguments\":"
                + "{\"city\":\"Paris\"}}";
        HttpResponse<String> plain = proxy.post("/v1/responses", body + "}");
        HttpResponse<String> streamed = proxy.post("/v1/responses", body + ",\"stream\":true}");

        assertThat(plain.body()).contains("{\"type\":\"function_call\",\"id\":\"fc_")
                .contains("\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\","
                        + "\"status\":\"completed\"}");
        assertThat(mock.requests().get(0).body()).contains("\"tools\":[{\"name\":\"get_weather\","
                + "\"description\":\"Weather\",\"input_schema\":").contains("\"tool_choice\":{\"type\":\"any\"}");
        assertThat(streamed.body()).contains("event: response.function_call_arguments.delta")
                .contains("event: response.function_call_arguments.done")
                .contains("\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"");
    }

    @Test
    void shouldAnswer400ForPreviousResponseIdOnABridgedModel() {
        HttpResponse<String> response = proxy.post("/v1/responses",
                "{\"model\":\"claude\",\"input\":\"More\",\"previous_response_id\":\"resp_1\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("previous_response_id").contains("\"type\":\"bad_request_error\"");
        assertThat(mock.requests()).isEmpty();
    }

    @Test
    void shouldRetrieveDeleteAndListInputItemsOfARelayedResponseOnItsDeployment() {
        HttpResponse<String> retrieved = proxy.get("/v1/responses/" + GPT_ID + "?include=reasoning.encrypted_content");
        HttpResponse<String> items = proxy.get("/v1/responses/" + GPT_ID + "/input_items?limit=5&order=asc");
        HttpResponse<String> deleted = proxy.delete("/responses/" + GPT_ID);

        assertThat(retrieved.statusCode()).isEqualTo(200);
        assertThat(retrieved.body()).startsWith("{\"id\":\"" + GPT_ID + "\",\"object\":\"response\"")
                .contains("\"status\":\"completed\"");
        assertThat(retrieved.headers().firstValue("x-litellm-model-id")).hasValue("gpt-1");
        assertThat(items.statusCode()).isEqualTo(200);
        assertThat(items.body()).startsWith("{\"object\":\"list\",\"data\":[{\"id\":\"msg_input01\"");
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(deleted.body()).isEqualTo("{\"id\":\"" + GPT_ID + "\",\"object\":\"response\",\"deleted\":true}");
        List<RecordedRequest> upstream = mock.requests();
        assertThat(upstream).extracting(RecordedRequest::method).containsExactly("GET", "GET", "DELETE");
        assertThat(upstream).extracting(RecordedRequest::uri).containsExactly(
                "/v1/responses/resp_mock01?include=reasoning.encrypted_content",
                "/v1/responses/resp_mock01/input_items?limit=5&order=asc", "/v1/responses/resp_mock01");
        assertThat(upstream.get(0).headers().get("authorization")).isEqualTo("Bearer sk-test");
        // The last call is recorded once its answer is written, which the client may see first.
        proxy.awaitCalls(3);
        List<CallRecord> calls = proxy.calls();
        assertThat(calls).hasSize(3).allSatisfy(call -> {
            assertThat(call.endpoint()).isEqualTo(Endpoint.RESPONSES);
            assertThat(call.status()).isEqualTo(200);
        });
    }

    @Test
    void shouldRetrieveAnAzureResponseWithTheDeploymentsApiVersion() {
        String id = ManagedResponseIds.encode("azure", "azure-1", "resp_mock01");

        HttpResponse<String> retrieved = proxy.get("/v1/responses/" + URLEncoder.encode(id, StandardCharsets.UTF_8));

        assertThat(retrieved.statusCode()).isEqualTo(200);
        assertThat(retrieved.body()).startsWith("{\"id\":\"" + id + "\"");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/openai/responses/resp_mock01?api-version=2025-04-01-preview");
        assertThat(upstream.headers().get("api-key")).isEqualTo("azure-key");
    }

    @Test
    void shouldRelayTheProvidersNotFoundAndAnswer404ForIdsNamingNoNativeDeployment() {
        HttpResponse<String> gone = proxy.get("/v1/responses/" + ManagedResponseIds.encode("openai", "gpt-1",
                "resp_gone"));
        HttpResponse<String> plain = proxy.get("/v1/responses/resp_67cb71b351908190");
        HttpResponse<String> unknownDeployment = proxy.get("/v1/responses/" + ManagedResponseIds.encode("openai",
                "nowhere", "resp_mock01"));
        HttpResponse<String> bridged = proxy.delete("/v1/responses/" + ManagedResponseIds.encode("anthropic",
                "claude-1", "resp_1"));

        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.body()).contains("Response with id 'resp_gone' not found.");
        for (HttpResponse<String> response : List.of(plain, unknownDeployment, bridged)) {
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.body()).contains("not found").contains("\"type\":\"not_found_error\"");
        }
        assertThat(mock.requests()).hasSize(1);
    }

    @Test
    void shouldAnswer405WithTheMethodsAResponsePathTakes() {
        HttpResponse<String> response = proxy.post("/v1/responses/" + GPT_ID, "{}");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("GET, DELETE");
    }

    @Test
    void shouldContinueAManagedResponseOnTheDeploymentThatHoldsItWithTheProvidersId() {
        String previous = ManagedResponseIds.encode("openai", "pair-b", "resp_mock01");

        for (int i = 0; i < 8; i++) {
            HttpResponse<String> response = proxy.post("/v1/responses",
                    "{\"model\":\"pair\",\"input\":\"More\",\"previous_response_id\":\"" + previous + "\"}");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).startsWith("{\"id\":\""
                    + ManagedResponseIds.encode("openai", "pair-b", "resp_mock01") + "\"");
        }

        assertThat(mock.requests()).hasSize(8).allSatisfy(upstream -> {
            assertThat(upstream.headers().get("authorization")).isEqualTo("Bearer sk-b");
            assertThat(upstream.body()).isEqualTo("{\"model\":\"gpt-4.1\",\"input\":\"More\","
                    + "\"previous_response_id\":\"resp_mock01\"}");
        });
    }

    @Test
    void shouldAnswer400NamingModelAndModeWhenCalledOnAnotherEndpoint() {
        HttpResponse<String> embedder = proxy.post("/v1/responses", "{\"model\":\"embedder\",\"input\":\"Hi\"}");
        HttpResponse<String> chatty = proxy.post("/v1/embeddings", "{\"model\":\"chatty\",\"input\":\"Hi\"}");
        HttpResponse<String> allowed = proxy.post("/v1/responses", "{\"model\":\"chatty\",\"input\":\"Hi\"}");

        assertThat(embedder.statusCode()).isEqualTo(400);
        assertThat(embedder.body()).contains("The model `embedder` has mode `embedding`")
                .contains("/responses").contains("\"param\":\"model\"");
        assertThat(chatty.statusCode()).isEqualTo(400);
        assertThat(chatty.body()).contains("The model `chatty` has mode `chat`");
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(mock.requests()).hasSize(1);
    }

    @Test
    void shouldAnswerMockResponseInTheResponsesShape() {
        HttpResponse<String> plain = proxy.post("/v1/responses", "{\"model\":\"mocked\",\"input\":\"Hi\"}");
        HttpResponse<String> streamed = proxy.post("/v1/responses",
                "{\"model\":\"mocked\",\"input\":\"Hi\",\"stream\":true}");

        assertThat(plain.body()).contains("\"object\":\"response\"").contains("\"text\":\"Hello from the mock\"");
        assertThat(streamed.body()).startsWith("event: response.created\n")
                .contains("event: response.completed\n");
    }

    private List<ProxyServerStreamTest.TimedEvent> stream(String body) throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/responses", body, ""));
            RawClient.Head head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers().get("content-type")).startsWith("text/event-stream");
            return ProxyServerStreamTest.events(client.readTimedChunks());
        }
    }

    private static List<String> types(List<ProxyServerStreamTest.TimedEvent> events) {
        List<String> types = new ArrayList<>();
        for (ProxyServerStreamTest.TimedEvent event : events) {
            String data = event.data();
            assertThat(data).startsWith("event: ");
            types.add(data.substring(7, data.indexOf('\n')));
        }
        return types;
    }

    private static void assertPausedAfterSecondDelta(List<ProxyServerStreamTest.TimedEvent> events) {
        List<ProxyServerStreamTest.TimedEvent> deltas = events.stream()
                .filter(e -> e.data().startsWith("event: response.output_text.delta")).toList();
        long pauseMillis = TimeUnit.NANOSECONDS.toMillis(deltas.get(2).arrivedNanos() - deltas.get(1).arrivedNanos());
        long firstGapMillis = TimeUnit.NANOSECONDS.toMillis(deltas.get(1).arrivedNanos()
                - events.get(0).arrivedNanos());
        assertThat(firstGapMillis).as("the second delta came with the first events, ms").isLessThan(1000);
        assertThat(pauseMillis).as("pause between the second and third deltas, ms").isGreaterThan(1000);
    }
}
