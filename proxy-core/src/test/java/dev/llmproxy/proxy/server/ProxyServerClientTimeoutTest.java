package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.proxy.call.ProxyError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client timeouts of {@code general_settings}, end to end over real sockets with short values (0.3 s): each
 * fires with its outcome, and none cuts a response that takes longer than all of them.
 */
class ProxyServerClientTimeoutTest {
    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().build());
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: gpt-a
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %s
                      api_key: sk-upstream-1
                general_settings:
                  keepalive_timeout: 0.3
                  client_header_timeout: 0.3
                  client_body_timeout: 0.3
                """.formatted(mock.baseUrl()));
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldCloseSilentlyWhenConnectionStaysIdle() throws IOException {
        try (RawClient client = new RawClient(proxy.port())) {
            assertThat(client.readToEnd()).isEmpty();
        }
    }

    @Test
    void shouldAnswer408WhenRequestHeadIsNotCompleteInTime() throws IOException {
        try (RawClient client = new RawClient(proxy.port())) {
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n");

            RawClient.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(408);
            assertThat(response.body()).contains("\"type\":\"timeout\"").contains("client_header_timeout");
            assertThat(client.isClosedByServer()).isTrue();
        }
        assertThat(proxy.awaitCalls(1).error()).isEqualTo(ProxyError.CLIENT_TIMEOUT);
    }

    @Test
    void shouldAnswer408WhenRequestBodyStalls() throws IOException {
        try (RawClient client = new RawClient(proxy.port())) {
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"model\":");

            RawClient.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(408);
            assertThat(response.body()).contains("\"type\":\"timeout\"").contains("client_body_timeout");
        }
    }

    @Test
    void shouldNotCutStreamWhenProviderPausesLongerThanEveryClientTimeout() throws IOException {
        String body = "{\"model\":\"gpt-a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,"
                + "\"mock_chunks\":4,\"mock_chunk_interval_ms\":0,\"mock_first_chunk_delay_ms\":700,"
                + "\"mock_hold_after_chunks\":2,\"mock_hold_ms\":700}";
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/chat/completions", body, ""));

            assertThat(client.readHead().status()).isEqualTo(200);
            StringBuilder events = new StringBuilder();
            for (RawClient.TimedChunk chunk : client.readTimedChunks()) {
                events.append(chunk.text());
            }
            assertThat(events.toString()).endsWith("data: [DONE]\n\n");

            client.send(RawClient.post("/v1/chat/completions",
                    body.replace("700", "0"), ""));
            assertThat(client.readResponse().body()).as("the connection is still kept alive").contains("[DONE]");
            assertThat(new String(client.readToEnd(), StandardCharsets.UTF_8)).as("then closed when idle").isEmpty();
        }
    }
}
