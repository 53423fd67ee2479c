package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keep-alive reuse of client and upstream connections, and pipelined requests. */
class ProxyServerKeepAliveTest {
    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.defaults());
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: gpt-a
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %s
                      api_key: sk-upstream-1
                """.formatted(mock.baseUrl()));
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldReuseOneUpstreamConnectionWhenRequestsFollowEachOtherOnOneClientConnection() throws IOException {
        try (RawClient client = new RawClient(proxy.port())) {
            for (int i = 0; i < 20; i++) {
                client.send(RawClient.post("/v1/chat/completions", ProxyFixture.CHAT_BODY.formatted("gpt-a"), ""));
                RawClient.Response response = client.readResponse();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.headers()).doesNotContainKey("connection");
            }
        }

        assertThat(mock.connectionsAccepted()).isEqualTo(1);
        assertThat(mock.requestsReceived()).isEqualTo(20);
    }

    @Test
    void shouldReuseUpstreamConnectionWhenStreamsFollowEachOther() throws IOException {
        String body = "{\"model\":\"gpt-a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,"
                + "\"mock_chunks\":3,\"mock_chunk_interval_ms\":0}";
        try (RawClient client = new RawClient(proxy.port())) {
            for (int i = 0; i < 5; i++) {
                client.send(RawClient.post("/v1/chat/completions", body, ""));
                assertThat(client.readResponse().body()).endsWith("data: [DONE]\n\n");
            }
        }

        assertThat(mock.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void shouldAnswerInOrderWhenTwoRequestsArePipelined() throws IOException {
        String slow = "{\"model\":\"gpt-a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"mock_delay_ms\":200,\"mock_content\":\"first answer\"}";
        String fast = "{\"model\":\"gpt-a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"mock_content\":\"second answer\"}";
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/chat/completions", slow, "")
                    + RawClient.post("/v1/chat/completions", fast, ""));

            RawClient.Response first = client.readResponse();
            RawClient.Response second = client.readResponse();

            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).contains("first answer");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.body()).contains("second answer");
        }
        assertThat(proxy.awaitCalls(2).status()).isEqualTo(200);
    }

    @Test
    void shouldCloseAfterResponseWhenClientAsksForConnectionClose() throws IOException {
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/chat/completions", ProxyFixture.CHAT_BODY.formatted("gpt-a"),
                    "Connection: close\r\n"));

            RawClient.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers().get("connection")).isEqualToIgnoringCase("close");
            assertThat(client.isClosedByServer()).isTrue();
        }
    }

    @Test
    void shouldCloseAfterResponseWhenClientSpeaksHttp10WithoutKeepAlive() throws IOException {
        String body = ProxyFixture.CHAT_BODY.formatted("gpt-a");
        try (RawClient client = new RawClient(proxy.port())) {
            client.send("POST /v1/chat/completions HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body);

            RawClient.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).contains("\"object\":\"chat.completion\"");
            assertThat(client.isClosedByServer()).isTrue();
        }
    }

    @Test
    void shouldKeepConnectionOpenWhenHttp10ClientAsksForKeepAlive() throws IOException {
        String body = ProxyFixture.CHAT_BODY.formatted("gpt-a");
        String request = "POST /v1/chat/completions HTTP/1.0\r\nConnection: keep-alive\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        try (RawClient client = new RawClient(proxy.port())) {
            for (int i = 0; i < 2; i++) {
                client.send(request);
                RawClient.Response response = client.readResponse();

                assertThat(response.status()).isEqualTo(200);
                assertThat(response.headers().get("connection")).isEqualToIgnoringCase("keep-alive");
                assertThat(response.headers()).containsKey("content-length");
            }
        }
    }
}
