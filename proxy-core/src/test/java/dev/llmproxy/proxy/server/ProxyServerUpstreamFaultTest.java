package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Provider errors, silence, cut connections and unreachable providers. */
class ProxyServerUpstreamFaultTest {
    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() throws IOException {
        mock = MockProvider.start(MockProviderConfig.defaults());
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: gpt-a
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %1$s
                      api_key: sk-upstream-1
                      timeout: 1
                      stream_timeout: 1
                  - model_name: gpt-free
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %1$s
                      api_key: sk-upstream-1
                      input_cost_per_token: 0
                      output_cost_per_token: 0
                  - model_name: dead
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: http://127.0.0.1:%2$d/v1
                      api_key: sk-upstream-1
                """.formatted(mock.baseUrl(), closedPort));
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldPassThrough429WithProviderBodyWhenProviderRateLimits() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions",
                "{\"model\":\"gpt-a\"," + MESSAGES + ",\"mock_status\":429,\"mock_error_message\":\"slow down\"}");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.body()).contains("slow down");
        assertThat(response.headers().firstValue("x-litellm-call-id")).isPresent();
        assertThat(proxy.awaitCalls(1).status()).isEqualTo(429);
    }

    @Test
    void shouldPassThrough500WithProviderBodyWhenProviderFails() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions",
                "{\"model\":\"gpt-a\"," + MESSAGES + ",\"mock_status\":500,\"mock_error_message\":\"boom\"}");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).contains("boom");
        assertThat(proxy.awaitCalls(1).status()).isEqualTo(500);
    }

    @Test
    void shouldAnswer408WhenProviderSendsNothingWithinTimeout() {
        HttpResponse<String> response =
                proxy.post("/v1/chat/completions", "{\"model\":\"gpt-a\"," + MESSAGES + ",\"mock_hang\":true}");

        assertThat(response.statusCode()).isEqualTo(408);
        assertThat(response.body()).contains("\"error\"").contains("\"type\":\"timeout\"");
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(proxy.awaitCalls(1).status()).isEqualTo(408);
    }

    @Test
    void shouldEndStreamWithErrorEventWhenProviderStallsLongerThanStreamTimeout() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", "{\"model\":\"gpt-a\"," + MESSAGES
                + ",\"stream\":true,\"mock_chunks\":5,\"mock_chunk_interval_ms\":0,\"mock_first_chunk_delay_ms\":0,"
                + "\"mock_hold_after_chunks\":1,\"mock_hold_ms\":3000}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"content\":\"tok ");
        assertThat(response.body()).doesNotContain("[DONE]");
        assertThat(lastEvent(response.body())).startsWith("data: {\"error\":");
        assertThat(proxy.awaitCalls(1).stream()).isTrue();
    }

    @Test
    void shouldEndStreamWithErrorEventAndKeepConnectionWhenProviderCutsStream() throws IOException {
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/chat/completions", "{\"model\":\"gpt-a\"," + MESSAGES
                    + ",\"stream\":true,\"mock_chunks\":5,\"mock_chunk_interval_ms\":0,\"mock_cut_after_chunks\":2}",
                    ""));
            RawClient.Response cut = client.readResponse();

            assertThat(cut.status()).isEqualTo(200);
            assertThat(cut.body()).doesNotContain("[DONE]");
            assertThat(lastEvent(cut.body())).startsWith("data: {\"error\":");

            client.send(RawClient.post("/v1/chat/completions", ProxyFixture.CHAT_BODY.formatted("gpt-a"), ""));
            RawClient.Response next = client.readResponse();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).contains("\"object\":\"chat.completion\"");
        }
    }

    @Test
    void shouldAnswer503WhenProviderCutsANonStreamedBodyHeldForItsCost() throws IOException {
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/chat/completions",
                    "{\"model\":\"gpt-a\"," + MESSAGES + ",\"mock_cut_after_chunks\":1}", ""));
            RawClient.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(503);
            assertThat(response.body()).contains("\"type\":\"api_connection_error\"");
            assertThat(response.headers().get("x-litellm-response-cost")).isEqualTo("0");
        }
    }

    @Test
    void shouldCloseClientConnectionWhenProviderCutsNonStreamedBody() throws IOException {
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/chat/completions",
                    "{\"model\":\"gpt-free\"," + MESSAGES + ",\"mock_cut_after_chunks\":1}", ""));
            RawClient.Head head = client.readHead();
            int announced = Integer.parseInt(head.headers().get("content-length"));

            byte[] received = client.readToEnd();

            assertThat(head.status()).isEqualTo(200);
            assertThat(received.length).isLessThan(announced);
        }
    }

    @Test
    void shouldAnswer502WhenProviderRefusesConnection() {
        HttpResponse<String> response = proxy.chat("dead");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("\"type\":\"api_connection_error\"").contains("connection refused");
        assertThat(proxy.awaitCalls(1).status()).isEqualTo(502);
    }

    private static String lastEvent(String body) {
        String[] events = body.strip().split("\n\n");
        return events[events.length - 1];
    }
}
