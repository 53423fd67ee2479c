package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.proxy.call.ProxyError;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server-wide budget of request bodies held in memory ({@link RequestBudget}): a body that does not fit is
 * refused with 503 and {@code retry-after} before it is read (no {@code 100 Continue}), and every byte reserved comes
 * back once requests end, however they end. An upload counts for the bytes it holds.
 */
class ProxyServerRequestBudgetTest {
    private static final int BUDGET_BYTES = 1000;
    private static final String BOUNDARY = "b0undary";
    private static final String FILE_PART = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; "
            + "filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\nRIFF\r\n--" + BOUNDARY + "--\r\n";

    @TempDir
    Path dir;

    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        proxy = ProxyFixture.builder(dir, """
                        model_list:
                          - model_name: mock-gpt
                            litellm_params:
                              model: openai/gpt-4o-mini
                              mock_response: "Hello there"
                        """)
                .components(components -> components.requestBufferBytes(BUDGET_BYTES))
                .start();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
    }

    @Test
    void shouldAnswer503WithRetryAfterWhenBodiesInMemoryReachBudget() throws Exception {
        String big = chat(800);
        try (RawClient holder = new RawClient(proxy.port()); RawClient second = new RawClient(proxy.port())) {
            // The first upload stops halfway: its declared 800 bytes stay reserved while it is incomplete.
            String request = RawClient.post("/v1/chat/completions", big, "");
            holder.send(request.substring(0, request.length() - 100));
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.server().bufferedRequestBytes() == 800);

            second.send(RawClient.post("/v1/chat/completions", chat(400), "Expect: 100-continue\r\n").replaceFirst(
                    "\r\n\r\n\\{.*", "\r\n\r\n"));
            RawClient.Response refused = second.readResponse();
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.headers()).containsEntry("retry-after", "1").containsEntry("connection", "close");
            assertThat(refused.body()).contains("\"type\":\"service_unavailable\"");
            assertThat(proxy.awaitCalls(1).error()).isEqualTo(ProxyError.REQUEST_BUFFERS_FULL);

            holder.send(request.substring(request.length() - 100));
            assertThat(holder.readResponse().status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.server().bufferedRequestBytes() == 0);
        assertThat(proxy.chat("mock-gpt").statusCode()).isEqualTo(200);
        // The response is flushed before the call ends and gives its body back, so the count may lag for a moment.
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.server().bufferedRequestBytes() == 0);
    }

    @Test
    void shouldGiveBudgetBackWhenClientAbortsMidBody() throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            String request = RawClient.post("/v1/chat/completions", chat(900), "");
            client.send(request.substring(0, request.length() - 10));
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.server().bufferedRequestBytes() == 900);
            client.abort();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.server().bufferedRequestBytes() == 0);
        assertThat(proxy.chat("mock-gpt").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldCountChunkedBodiesAsTheyArrive() throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            String body = chat(1200);
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(600) + "\r\n" + body.substring(0, 600)
                    + "\r\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.server().bufferedRequestBytes() == 600);
            client.send(Integer.toHexString(600) + "\r\n" + body.substring(600) + "\r\n0\r\n\r\n");
            RawClient.Response refused = client.readResponse();
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.headers()).containsEntry("retry-after", "1");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.server().bufferedRequestBytes() == 0);
    }

    @Test
    void shouldCountTheBytesAnUploadHoldsUntilItsCallEnds() throws Exception {
        String fields = field("prompt", "p".repeat(500));
        String rest = field("model", "mock-gpt") + FILE_PART;
        try (RawClient uploader = new RawClient(proxy.port()); RawClient second = new RawClient(proxy.port())) {
            uploader.send(uploadHead(fields.length() + rest.length()) + fields);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> proxy.server().bufferedRequestBytes() == fields.length());

            second.send(RawClient.post("/v1/chat/completions", chat(600), ""));
            assertThat(second.readResponse().status()).isEqualTo(503);

            uploader.send(rest);
            RawClient.Response answered = uploader.readResponse();
            assertThat(answered.status()).isEqualTo(200);
            assertThat(answered.body()).contains("\"text\":\"Hello there\"");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.server().bufferedRequestBytes() == 0);
    }

    @Test
    void shouldAnswer503WhenAnUploadMustHoldMoreThanTheBudgetBeforeItsModel() throws Exception {
        String body = field("prompt", "p".repeat(1200)) + field("model", "mock-gpt") + FILE_PART;
        try (RawClient uploader = new RawClient(proxy.port())) {
            uploader.send(uploadHead(body.length()) + body);
            RawClient.Response refused = uploader.readResponse();
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.body()).contains("\"type\":\"service_unavailable\"");
        }
        assertThat(proxy.awaitCalls(1).error()).isEqualTo(ProxyError.REQUEST_BUFFERS_FULL);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.server().bufferedRequestBytes() == 0);
    }

    private static String uploadHead(int length) {
        return "POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary="
                + BOUNDARY + "\r\nContent-Length: " + length + "\r\n\r\n";
    }

    private static String field(String name, String value) {
        return "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value
                + "\r\n";
    }

    /** A chat request body of exactly {@code bytes} bytes. */
    private static String chat(int bytes) {
        String start = "{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"";
        String end = "\"}]}";
        return start + "x".repeat(bytes - start.length() - end.length()) + end;
    }
}
