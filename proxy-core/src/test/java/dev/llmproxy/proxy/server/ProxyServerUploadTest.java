package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.provider.Endpoint;
import io.netty.util.internal.PlatformDependent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads ({@code /v1/audio/transcriptions}, {@code /v1/audio/translations}, {@code /v1/images/edits} and
 * {@code /v1/images/variations}) end to end over real sockets, in the multipart format the official OpenAI SDKs send:
 * the body streamed to the provider as it arrives with only its {@code model} field rewritten, the answer relayed.
 */
class ProxyServerUploadTest {
    private static final String BOUNDARY = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6";
    private static final String MULTIPART = "multipart/form-data; boundary=" + BOUNDARY;

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;
    private HttpClient client;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: whisper
                    litellm_params:
                      model: openai/whisper-1
                      api_base: %1$s/v1
                      api_key: sk-test
                    model_info:
                      mode: audio_transcription
                  - model_name: azure-whisper
                    litellm_params:
                      model: azure/my-whisper
                      api_base: %1$s
                      api_key: azure-key
                      api_version: 2024-06-01
                  - model_name: failover
                    litellm_params:
                      model: openai/whisper-1
                      api_base: http://127.0.0.1:1/v1
                      api_key: sk-test
                    model_info:
                      id: dead
                      order: 1
                  - model_name: failover
                    litellm_params:
                      model: openai/whisper-1
                      api_base: %1$s/v1
                      api_key: sk-test
                    model_info:
                      id: alive
                      order: 2
                  - model_name: stalled
                    litellm_params:
                      model: openai/stall-upload
                      api_base: %1$s/v1
                      api_key: sk-test
                  - model_name: dall-e
                    litellm_params:
                      model: openai/dall-e-2
                      api_base: %1$s/v1
                      api_key: sk-test
                  - model_name: claude
                    litellm_params:
                      model: anthropic/claude-sonnet-4-5
                      api_base: %1$s
                      api_key: sk-ant-test
                  - model_name: chatty
                    litellm_params:
                      model: openai/gpt-4.1
                      api_base: %1$s/v1
                      api_key: sk-test
                    model_info:
                      mode: chat
                litellm_settings:
                  num_retries: 1
                general_settings:
                  max_request_size_mb: 1
                  max_upload_size_mb: 150
                """.formatted(mock.origin())).start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldStreamTranscriptionToOpenAiWithOnlyTheModelRewritten() throws Exception {
        String body = pythonSdkBody("whisper", "json", "RIFF....WAVEfmt audio bytes");

        HttpResponse<String> response = upload("/v1/audio/transcriptions", body.getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"text\":\"Mock transcription of");
        assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue("whisper");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1/audio/transcriptions");
        assertThat(upstream.header("Authorization")).isEqualTo("Bearer sk-test");
        assertThat(upstream.header("Content-Type")).isEqualTo(MULTIPART);
        String expected = body.replace("\r\nwhisper\r\n", "\r\nwhisper-1\r\n");
        assertThat(upstream.body()).isEqualTo(expected);
        assertThat(upstream.header("Content-Length")).isEqualTo(Integer.toString(expected.length()));
        assertThat(upstream.header("x-mock-received-bytes")).isEqualTo(Integer.toString(expected.length()));
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.AUDIO_TRANSCRIPTIONS);
        assertThat(call.status()).isEqualTo(200);
    }

    @Test
    void shouldRelayATranscriptionAskedAsAStreamEventByEventAndRecordItAsAStream() throws Exception {
        String python = field("model", "whisper") + field("stream", "true") + pythonSdkBody("whisper", "json", "RIFF")
                .substring(field("model", "whisper").length());
        String node = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp3\"\r\n"
                + "Content-Type: audio/mpeg\r\n\r\nID3\r\n" + field("model", "whisper") + field("stream", "true")
                + "--" + BOUNDARY + "--\r\n";
        for (String body : new String[] {python, node}) {
            HttpResponse<String> response = upload("/v1/audio/transcriptions", body.getBytes(StandardCharsets.UTF_8));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/event-stream"));
            assertThat(response.headers().firstValue("transfer-encoding")).hasValue("chunked");
            assertThat(response.body()).startsWith("data: {\"type\":\"transcript.text.delta\",\"delta\":\"Mock\"")
                    .contains("data: {\"type\":\"transcript.text.done\",\"text\":\"Mock transcription of");
        }
        assertThat(mock.requests()).allSatisfy(upstream -> {
            assertThat(upstream.header("Accept")).isEqualTo("text/event-stream");
            assertThat(upstream.body()).contains("\r\nwhisper-1\r\n").contains("name=\"stream\"\r\n\r\ntrue");
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.calls().size() == 2);
        assertThat(proxy.calls()).allSatisfy(call -> {
            assertThat(call.stream()).isTrue();
            assertThat(call.usage()).isNotNull();
            assertThat(call.usage().promptTokens()).isEqualTo(10);
            assertThat(call.usage().completionTokens()).isEqualTo(5);
        });
    }

    @Test
    void shouldCallAzureTranslationsWithItsDeploymentPathAndApiVersion() throws Exception {
        String body = nodeSdkBody("azure-whisper", "text", "audio");

        HttpResponse<String> response = upload("/audio/translations", body.getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(response.body()).startsWith("Mock transcription of");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/openai/deployments/my-whisper/audio/translations?api-version=2024-06-01");
        assertThat(upstream.header("api-key")).isEqualTo("azure-key");
        assertThat(upstream.body()).isEqualTo(body.replace("\r\nazure-whisper\r\n", "\r\nmy-whisper\r\n"));
        assertThat(proxy.awaitCalls(1).endpoint()).isEqualTo(Endpoint.AUDIO_TRANSLATIONS);
    }

    @Test
    void shouldStreamAChunkedUploadAsChunked() throws Exception {
        byte[] body = pythonSdkBody("whisper", "verbose_json", "x".repeat(200_000)).getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(proxy.uri("/v1/audio/transcriptions"))
                .header("Content-Type", MULTIPART)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();

        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"task\":\"transcribe\"");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(upstream.header("x-mock-received-bytes")).isEqualTo(Integer.toString(body.length + 2));
    }

    @Test
    void shouldStreamImageEditsAndVariations() throws Exception {
        String edit = pythonSdkBody("dall-e", "b64_json", "PNG image bytes");

        HttpResponse<String> edited = upload("/v1/images/edits", edit.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> varied = upload("/images/variations", edit.getBytes(StandardCharsets.UTF_8));

        assertThat(edited.statusCode()).isEqualTo(200);
        assertThat(edited.body()).contains("\"b64_json\"");
        assertThat(varied.statusCode()).isEqualTo(200);
        assertThat(mock.requests()).extracting(RecordedRequest::uri)
                .containsExactly("/v1/images/edits", "/v1/images/variations");
        assertThat(mock.requests().get(0).body()).contains("\r\ndall-e-2\r\n");
        assertThat(proxy.awaitCalls(2).endpoint()).isEqualTo(Endpoint.IMAGES_VARIATIONS);
    }

    @Test
    void shouldRetryOnAnotherDeploymentWithTheWholeBody() throws Exception {
        String body = pythonSdkBody("failover", "json", "audio".repeat(1000));

        HttpResponse<String> response = upload("/v1/audio/transcriptions", body.getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-model-id")).hasValue("alive");
        assertThat(mock.requests().get(0).body()).isEqualTo(body.replace("\r\nfailover\r\n", "\r\nwhisper-1\r\n"));
        assertThat(proxy.awaitCalls(1).attempts()).hasSize(2);
    }

    @Test
    void shouldAnswer400WhenTheModelFieldIsMissing() throws Exception {
        String body = pythonSdkBody("whisper", "json", "audio").replace("name=\"model\"", "name=\"language\"");

        HttpResponse<String> response = upload("/v1/audio/transcriptions", body.getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("Missing required field: model");
        assertThat(mock.requests()).isEmpty();
        assertThat(proxy.awaitCalls(1).error()).isEqualTo(ProxyError.MISSING_FIELD);
    }

    @Test
    void shouldAnswer400WhenTheBodyIsNotMultipart() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(proxy.uri("/v1/audio/transcriptions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"whisper\"}"))
                .build();

        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("expected multipart/form-data with a boundary");
    }

    @Test
    void shouldAnswer400ForAMalformedMultipartBody() throws Exception {
        String body = "--" + BOUNDARY + "junk\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper\r\n";

        HttpResponse<String> response = upload("/v1/audio/transcriptions", body.getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("Malformed multipart body");
    }

    @Test
    void shouldRefuseModelsThatCannotTakeUploads() throws Exception {
        HttpResponse<String> unknown = upload("/v1/audio/transcriptions",
                pythonSdkBody("nope", "json", "a").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> chat = upload("/v1/audio/transcriptions",
                pythonSdkBody("chatty", "json", "a").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> anthropic = upload("/v1/audio/transcriptions",
                pythonSdkBody("claude", "json", "a").getBytes(StandardCharsets.UTF_8));

        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("Invalid model name passed in model=nope");
        assertThat(chat.statusCode()).isEqualTo(400);
        assertThat(chat.body()).contains("has mode `chat`");
        assertThat(anthropic.statusCode()).isEqualTo(400);
        assertThat(anthropic.body()).contains("/audio/transcriptions is not supported for anthropic models");
        assertThat(mock.requests()).isEmpty();
    }

    @Test
    void shouldAnswer413BeforeTheBodyWhenTheDeclaredLengthIsTooLarge() throws Exception {
        try (RawClient raw = new RawClient(proxy.port())) {
            raw.send("POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nContent-Type: " + MULTIPART
                    + "\r\nExpect: 100-continue\r\nContent-Length: " + (151L * 1024 * 1024) + "\r\n\r\n");
            RawClient.Response response = raw.readResponse();
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.body()).contains("general_settings.max_upload_size_mb");
        }
    }

    @Test
    void shouldAnswer100ContinueAndThenTheUpload() throws Exception {
        byte[] body = pythonSdkBody("whisper", "json", "audio").getBytes(StandardCharsets.UTF_8);
        try (RawClient raw = new RawClient(proxy.port())) {
            raw.send("POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nContent-Type: " + MULTIPART
                    + "\r\nExpect: 100-continue\r\nContent-Length: " + body.length + "\r\n\r\n");
            assertThat(raw.readHead().status()).isEqualTo(100);
            raw.sendRaw(body);
            RawClient.Response response = raw.readResponse();
            assertThat(response.status()).isEqualTo(200);
        }
    }

    @Test
    void shouldCloseTheUpstreamConnectionWhenTheClientStopsMidUpload() throws Exception {
        String head = pythonSdkBody("whisper", "json", "");
        head = head.substring(0, head.lastIndexOf("\r\n--"));
        try (RawClient raw = new RawClient(proxy.port())) {
            raw.send("POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nContent-Type: " + MULTIPART
                    + "\r\nContent-Length: 10000000\r\n\r\n" + head);
            raw.sendRaw(new byte[512 * 1024]);
            await().atMost(Duration.ofSeconds(5)).until(() -> mock.openConnections() == 1);
        }
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.error()).isEqualTo(ProxyError.CLIENT_CLOSED);
        await().atMost(Duration.ofSeconds(5)).until(() -> mock.openConnections() == 0);
        assertThat(mock.requests()).isEmpty();
    }

    @Test
    void shouldStopReadingTheClientWhileTheProviderDoesNotRead() throws Exception {
        String prefix = pythonSdkBody("stalled", "json", "");
        byte[] head = prefix.substring(0, prefix.lastIndexOf("\r\n--")).getBytes(StandardCharsets.UTF_8);
        long declared = 140L * 1024 * 1024;
        AtomicLong written = new AtomicLong();
        try (RawClient raw = new RawClient(proxy.port())) {
            raw.send("POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nContent-Type: " + MULTIPART
                    + "\r\nContent-Length: " + declared + "\r\n\r\n");
            raw.sendRaw(head);
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    while (written.get() < declared - head.length) {
                        raw.sendRaw(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    // The socket closed at the end of the test: the writer was blocked, as it should be.
                }
            });
            writer.setDaemon(true);
            writer.start();
            AtomicLong seen = new AtomicLong(-1);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300))
                    .until(() -> seen.getAndSet(written.get()) == written.get());
            // Socket buffers on both sides of the proxy hold a few MB; the proxy itself holds at most its replay MiB.
            assertThat(written.get()).isLessThan(64L * 1024 * 1024);
        }
        assertThat(proxy.awaitCalls(1).error()).isEqualTo(ProxyError.CLIENT_CLOSED);
        // The mock reads again after its stall, and then sees that the proxy closed the connection.
        await().atMost(Duration.ofSeconds(10)).until(() -> mock.openConnections() == 0);
    }

    @Test
    void shouldStream100MegabytesWithFlatMemory() throws Exception {
        long fileBytes = 100L * 1024 * 1024;
        String prefix = pythonSdkBody("whisper", "json", "");
        int close = prefix.lastIndexOf("\r\n--");
        byte[] head = prefix.substring(0, close).getBytes(StandardCharsets.UTF_8);
        byte[] tail = prefix.substring(close).getBytes(StandardCharsets.UTF_8);
        long length = head.length + fileBytes + tail.length;
        HttpRequest request = HttpRequest.newBuilder(proxy.uri("/v1/audio/transcriptions"))
                .header("Content-Type", MULTIPART)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new SequenceInputStream(new SequenceInputStream(new ByteArrayInputStream(head),
                                new ZeroStream(fileBytes)), new ByteArrayInputStream(tail))), length))
                .build();
        long baseline = PlatformDependent.usedDirectMemory();
        assertThat(baseline).as("Netty counts its direct memory").isNotNegative();
        AtomicLong peak = new AtomicLong(baseline);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> peak.accumulateAndGet(PlatformDependent.usedDirectMemory(), Math::max),
                0, 2, TimeUnit.MILLISECONDS);
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } finally {
            sampler.shutdownNow();
        }

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(mock.requests().get(0).header("x-mock-received-bytes")).isEqualTo(Long.toString(length + 2));
        assertThat(peak.get() - baseline).as("direct memory growth").isLessThan(32L * 1024 * 1024);
    }

    private HttpResponse<String> upload(String path, byte[] body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(proxy.uri(path))
                .header("Content-Type", MULTIPART)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The OpenAI Python SDK's layout (httpx): the fields first, then the file. */
    static String pythonSdkBody(String model, String responseFormat, String file) {
        return field("model", model) + field("response_format", responseFormat)
                + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"speech.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n" + file + "\r\n--" + BOUNDARY + "--\r\n";
    }

    /** The OpenAI Node SDK's layout: the file first, then the fields. */
    static String nodeSdkBody(String model, String responseFormat, String file) {
        return "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"speech.mp3\"\r\n"
                + "Content-Type: audio/mpeg\r\n\r\n" + file + "\r\n" + field("model", model)
                + field("response_format", responseFormat) + "--" + BOUNDARY + "--\r\n";
    }

    private static String field(String name, String value) {
        return "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    }

    /** {@code length} zero bytes, produced as they are read. */
    private static final class ZeroStream extends InputStream {
        private long remaining;

        ZeroStream(long length) {
            this.remaining = length;
        }

        @Override
        public int read() {
            if (remaining == 0) {
                return -1;
            }
            remaining--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining == 0) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            remaining -= n;
            return n;
        }
    }
}
