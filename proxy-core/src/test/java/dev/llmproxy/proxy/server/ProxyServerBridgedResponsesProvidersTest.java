package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.BedrockExchanges;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /v1/responses} bridged through chat to each provider with its own wire format (Bedrock's binary event
 * stream, Anthropic's and Gemini's SSE), over real sockets against the mock providers: plain and streamed answers
 * rebuilt in the Responses shape, and a stream the provider fails or cuts ending with the Responses API's
 * {@code error} and {@code response.failed} events.
 */
class ProxyServerBridgedResponsesProvidersTest {
    private static final List<String> TEXT_EVENTS = List.of("response.created", "response.in_progress",
            "response.output_item.added", "response.content_part.added", "response.output_text.delta",
            "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
            "response.content_part.done", "response.output_item.done", "response.completed");

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: bedrock
                    litellm_params:
                      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0
                      api_base: %1$s
                      aws_access_key_id: %2$s
                      aws_secret_access_key: %3$s
                      aws_region_name: us-east-1
                  - model_name: anthropic
                    litellm_params:
                      model: anthropic/claude-sonnet-4-5
                      api_base: %1$s
                      api_key: sk-ant-test
                  - model_name: gemini
                    litellm_params:
                      model: gemini/gemini-2.5-flash
                      api_base: %1$s
                      api_key: AIza-test
                """.formatted(mock.origin(), BedrockExchanges.ACCESS_KEY_ID, BedrockExchanges.SECRET_ACCESS_KEY))
                .start();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"bedrock", "anthropic", "gemini"})
    void shouldRebuildAPlainAnswerInTheResponsesShape(String model) {
        HttpResponse<String> response = proxy.post("/v1/responses", request(model, "{\"mock_chunks\":3}", ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.body()).startsWith("{\"id\":\"resp_").contains("\"object\":\"response\"")
                .contains("\"status\":\"completed\"")
                .contains("\"content\":[{\"type\":\"output_text\",\"text\":\"tok tok tok \",\"annotations\":[]}]")
                .contains("\"usage\":{\"input_tokens\":");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.RESPONSES);
        assertThat(call.usage().completionTokens()).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bedrock", "anthropic", "gemini"})
    void shouldStreamTheResponsesEventsInTheirOrder(String model) {
        HttpResponse<String> response = proxy.post("/v1/responses",
                request(model, "{\"mock_chunks\":3}", ",\"stream\":true"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(types(response.body())).containsExactlyElementsOf(TEXT_EVENTS);
        assertThat(response.body()).contains("\"delta\":\"tok \"")
                .contains("\"text\":\"tok tok tok \"").contains("\"output_tokens\":3");
        Usage usage = proxy.awaitCalls(1).usage();
        assertThat(usage.completionTokens()).isEqualTo(3);
    }

    /** Each mock fails with its provider's own error: throttling, Anthropic's 529 overloaded (a 500), quota. */
    /**
     * Bedrock's binary frames are decoded, translated to chat and then to Responses events in the read cycle they
     * arrive in: the mock's pause after two chunks reaches the client as a pause between the second and third deltas.
     */
    @Test
    void shouldWriteEachBedrockEventAsItsFrameArrives() throws Exception {
        List<ProxyServerStreamTest.TimedEvent> events;
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/responses", request("bedrock",
                    "{\"mock_chunks\":4,\"mock_hold_after_chunks\":2,\"mock_hold_ms\":1500}", ",\"stream\":true"),
                    ""));
            assertThat(client.readHead().status()).isEqualTo(200);
            events = ProxyServerStreamTest.events(client.readTimedChunks());
        }

        List<ProxyServerStreamTest.TimedEvent> deltas = events.stream()
                .filter(e -> e.data().startsWith("event: response.output_text.delta")).toList();
        assertThat(deltas).hasSize(4);
        long firstGapMillis = TimeUnit.NANOSECONDS.toMillis(deltas.get(1).arrivedNanos()
                - events.get(0).arrivedNanos());
        long pauseMillis = TimeUnit.NANOSECONDS.toMillis(deltas.get(2).arrivedNanos() - deltas.get(1).arrivedNanos());
        assertThat(firstGapMillis).as("the second delta came with the first events, ms").isLessThan(1000);
        assertThat(pauseMillis).as("pause between the second and third deltas, ms").isGreaterThan(1000);
        assertThat(events.get(events.size() - 1).data()).startsWith("event: response.completed");
    }

    @ParameterizedTest
    @CsvSource({"bedrock,429", "anthropic,500", "gemini,429"})
    void shouldEndAStreamTheProviderFailsWithTheErrorEvent(String model, String code) {
        HttpResponse<String> response = proxy.post("/v1/responses",
                request(model, "{\"mock_chunks\":3,\"mock_error_after_chunks\":1}", ",\"stream\":true"));

        assertThat(response.statusCode()).isEqualTo(200);
        List<String> types = types(response.body());
        assertThat(types).startsWith("response.created", "response.in_progress").contains("response.output_text.delta")
                .endsWith("error", "response.failed").doesNotContain("response.completed");
        assertThat(response.body()).contains("event: error\ndata: {\"type\":\"error\",\"code\":\"" + code + "\",\"message\":")
                .contains("\"status\":\"failed\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bedrock", "anthropic", "gemini"})
    void shouldEndAStreamTheProviderCutsWithTheErrorEvent(String model) {
        HttpResponse<String> response = proxy.post("/v1/responses",
                request(model, "{\"mock_chunks\":3,\"mock_cut_after_chunks\":2}", ",\"stream\":true"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(types(response.body())).contains("response.output_text.delta").endsWith("error", "response.failed")
                .doesNotContain("response.completed");
    }

    /**
     * A Responses request for {@code model} whose input carries the mock's controls; Anthropic's mock reads them from
     * the body's own members, the others from the message text.
     */
    private static String request(String model, String controls, String extra) {
        String input = "\"input\":\"" + controls.replace("\"", "\\\"") + "\"";
        String own = model.equals("anthropic") ? "," + controls.substring(1, controls.length() - 1) : "";
        return "{\"model\":\"" + model + "\"," + input + ",\"max_output_tokens\":64" + own + extra + "}";
    }

    private static List<String> types(String body) {
        List<String> types = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            assertThat(event).startsWith("event: ");
            types.add(event.substring(7, event.indexOf('\n')));
        }
        return types;
    }
}
