package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests the proxy refuses itself; after each, a new connection must still be served. */
class ProxyServerBadRequestTest {
    @TempDir
    Path dir;

    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: mock-gpt
                    litellm_params:
                      model: openai/gpt-4o-mini
                      mock_response: "Hello there"
                general_settings:
                  max_request_size_mb: 0.001
                """);
    }

    @AfterEach
    void tearDown() {
        proxy.close();
    }

    @Test
    void shouldAnswer400BadRequestErrorWhenBodyIsMalformedJson() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", "{\"model\": \"mock-gpt\", \"messages\": [");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"type\":\"bad_request_error\"");
        assertThat(response.headers().firstValue("x-litellm-call-id")).isPresent();
        assertStillServing();
    }

    @Test
    void shouldAnswer400NamingModelWhenModelIsMissing() {
        HttpResponse<String> response =
                proxy.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"param\":\"model\"");
        assertStillServing();
    }

    @Test
    void shouldAnswer400NamingMessagesWhenMessagesAreMissing() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", "{\"model\":\"mock-gpt\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"param\":\"messages\"");
        assertStillServing();
    }

    @Test
    void shouldAnswer400NamingTheModelWhenModelIsUnknown() {
        HttpResponse<String> response = proxy.chat("no-such-model");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("no-such-model").contains("\"type\":\"bad_request_error\"");
        assertStillServing();
    }

    @Test
    void shouldAnswer413AndCloseWhenBodyExceedsMaxRequestSize() throws IOException {
        String body = "{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(2000)
                + "\"}]}";
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/chat/completions", body, ""));

            RawClient.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(413);
            assertThat(response.body()).contains("max_request_size_mb");
            assertThat(client.isClosedByServer()).isTrue();
        }
        assertStillServing();
    }

    @Test
    void shouldAnswer404WhenPathIsUnknown() {
        HttpResponse<String> response = proxy.get("/v1/no/such/path");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("\"type\":\"not_found_error\"").contains("/v1/no/such/path");
        assertStillServing();
    }

    @Test
    void shouldAnswer405WithAllowHeaderWhenChatCompletionsIsCalledWithGet() {
        HttpResponse<String> response = proxy.get("/v1/chat/completions");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("POST");
        assertStillServing();
    }

    @Test
    void shouldAnswer431AndCloseWhenHeadersAreTooLarge() throws IOException {
        String body = ProxyFixture.CHAT_BODY.formatted("mock-gpt");
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/chat/completions", body, "X-Big: " + "a".repeat(40 * 1024) + "\r\n"));

            RawClient.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(431);
            assertThat(response.body()).contains("\"error\"");
            assertThat(client.isClosedByServer()).isTrue();
        }
        assertStillServing();
    }

    @Test
    void shouldDeliver431NotResetWhenClientReadsOnlyAfterSendingItsWholeRequest() throws IOException {
        byte[] body = new byte[4 * 1024 * 1024];
        Arrays.fill(body, (byte) 'x');
        try (RawClient client = new RawClient(proxy.port())) {
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(40 * 1024)
                    + "\r\nContent-Length: " + body.length + "\r\n\r\n");
            client.sendRaw(body);

            RawClient.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(431);
            assertThat(response.body()).contains("\"type\":\"bad_request_error\"");
            assertThat(client.isClosedByServer()).isTrue();
        }
        assertStillServing();
    }

    @Test
    void shouldAnswer414AndCloseWhenRequestLineIsTooLong() throws IOException {
        try (RawClient client = new RawClient(proxy.port())) {
            client.send("GET /v1/models?q=" + "a".repeat(ServerSettings.MAX_INITIAL_LINE_BYTES) + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\n\r\n");

            RawClient.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(414);
            assertThat(client.isClosedByServer()).isTrue();
        }
        assertStillServing();
    }

    @Test
    void shouldAnswer400AndCloseWhenRequestLineIsMalformed() throws IOException {
        try (RawClient client = new RawClient(proxy.port())) {
            client.send("THIS IS NOT HTTP\r\n\r\n");

            RawClient.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.body()).contains("\"type\":\"bad_request_error\"");
            assertThat(client.isClosedByServer()).isTrue();
        }
        assertStillServing();
    }

    @Test
    void shouldKeepConnectionUsableWhenRequestWasRefusedWith400() throws IOException {
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/chat/completions", "{not json", ""));
            assertThat(client.readResponse().status()).isEqualTo(400);

            client.send(RawClient.post("/v1/chat/completions", ProxyFixture.CHAT_BODY.formatted("mock-gpt"), ""));

            assertThat(client.readResponse().status()).isEqualTo(200);
        }
    }

    private void assertStillServing() {
        HttpResponse<String> response = proxy.chat("mock-gpt");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("Hello there");
    }
}
