package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A body over {@code max_request_size_mb} sent by a client that keeps uploading: over real sockets, the client must
 * read the OpenAI-style 413 rather than a connection reset, and the server must keep serving.
 */
class ProxyServerOversizedBodyTest {
    private static final int UPLOAD_BYTES = 8 * 1024 * 1024;

    @TempDir
    Path dir;

    private ProxyFixture proxy;
    private final ExecutorService uploader = Executors.newSingleThreadExecutor();

    @BeforeEach
    void setUp() {
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: mock-gpt
                    litellm_params:
                      model: openai/gpt-4o-mini
                      mock_response: "Hello there"
                general_settings:
                  max_request_size_mb: 1
                """);
    }

    @AfterEach
    void tearDown() {
        uploader.shutdownNow();
        proxy.close();
    }

    @Test
    void shouldDeliver413JsonNotResetWhenClientKeepsUploadingOversizedBody() throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            // The socket's two directions are used from two threads: this one reads while the uploader writes.
            Future<Long> uploaded = uploader.submit(() -> upload(client, ""));

            RawClient.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(413);
            assertThat(response.headers().get("connection")).isEqualToIgnoringCase("close");
            assertThat(response.body()).startsWith("{\"error\":{")
                    .contains("\"type\":\"bad_request_error\"")
                    .contains("max_request_size_mb");
            assertThat(uploaded.get(10, TimeUnit.SECONDS)).isEqualTo(UPLOAD_BYTES);
        }
        assertStillServing();
    }

    @Test
    void shouldDeliver413WhenClientReadsOnlyAfterUploadingWholeBody() throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            long uploaded = upload(client, "");

            assertThat(uploaded).as("the server reads and discards the whole body").isEqualTo(UPLOAD_BYTES);
            RawClient.Response response = client.readResponse();
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.body()).contains("\"type\":\"bad_request_error\"");
            assertThat(client.isClosedByServer()).isTrue();
        }
        assertStillServing();
    }

    @Test
    void shouldAnswer413WithoutContinueWhenExpectContinueDeclaresOversizedBody() throws IOException {
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(head("Expect: 100-continue\r\n"));

            RawClient.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(413);
            assertThat(response.body()).contains("\"type\":\"bad_request_error\"");
            assertThat(client.isClosedByServer()).as("output shut down after the 413").isTrue();
        }
        assertStillServing();
    }

    @Test
    void shouldDeliver413WhenClientSendsBodyDespiteExpectContinue() throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            Future<Long> uploaded = uploader.submit(() -> upload(client, "Expect: 100-continue\r\n"));

            RawClient.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(413);
            assertThat(response.body()).contains("\"type\":\"bad_request_error\"");
            uploaded.get(10, TimeUnit.SECONDS);
        }
        assertStillServing();
    }

    /** Sends the head and then the 8 MB body; returns how much was sent before the server closed, if it did. */
    private static long upload(RawClient client, String extraHeaders) throws IOException {
        client.send(head(extraHeaders));
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        long sent = 0;
        try {
            while (sent < UPLOAD_BYTES) {
                client.sendRaw(chunk);
                sent += chunk.length;
            }
        } catch (IOException e) {
            // Expected once the server has discarded its lingering-close allowance and closed.
        }
        return sent;
    }

    private static String head(String extraHeaders) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + extraHeaders + "Content-Length: " + UPLOAD_BYTES + "\r\n\r\n";
    }

    private void assertStillServing() {
        HttpResponse<String> response = proxy.chat("mock-gpt");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("Hello there");
    }
}
