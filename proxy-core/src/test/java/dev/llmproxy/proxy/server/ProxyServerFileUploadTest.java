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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/files} streamed end to end over real sockets: read until the file part starts, routed, and relayed
 * to the mock's Files API as it arrives, the routing fields cut out, never collected.
 */
class ProxyServerFileUploadTest {
    private static final String BOUNDARY = "b7c6d5e4f3a2b1c0";
    private static final String MULTIPART = "multipart/form-data; boundary=" + BOUNDARY;
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: gpt
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %1$s/v1
                      api_key: sk-test
                general_settings:
                  max_request_size_mb: 1
                  max_upload_size_mb: 150
                """.formatted(mock.origin())).start();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldStream100MegabytesWithFlatMemoryAndTheRoutingFieldCutOut() throws Exception {
        long fileBytes = 100L * 1024 * 1024;
        String fields = field("purpose", "batch") + field("model", "gpt");
        byte[] head = (fields + fileHead()).getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8);
        long length = head.length + fileBytes + tail.length;
        HttpRequest request = HttpRequest.newBuilder(proxy.uri("/v1/files"))
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

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        long sent = length - field("model", "gpt").length();
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.header("content-length")).isEqualTo(Long.toString(sent));
        assertThat(upstream.header("x-mock-received-bytes")).isEqualTo(Long.toString(sent));
        assertThat(upstream.body()).startsWith(field("purpose", "batch") + fileHead());
        assertThat(response.body()).contains("\"bytes\":" + sent);
        assertThat(peak.get() - baseline).as("direct memory growth").isLessThan(8L * 1024 * 1024);
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.CREATE_FILE);
        assertThat(call.status()).isEqualTo(200);
        assertThat(call.requestedModel()).isEqualTo("gpt");
    }

    @Test
    void shouldStreamAChunkedUploadAsChunkedAndKeepItsContent() throws Exception {
        String content = "{\"custom_id\":\"r1\"}\n".repeat(5000);
        byte[] body = (field("model", "gpt") + field("purpose", "batch") + fileHead() + content + "\r\n--" + BOUNDARY
                + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(proxy.uri("/v1/files"))
                .header("Content-Type", MULTIPART)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();

        HttpResponse<String> created = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.header("transfer-encoding")).isEqualTo("chunked");
        assertThat(upstream.header("content-length")).isNull();
        assertThat(upstream.body()).doesNotContain("name=\"model\"");
        HttpResponse<String> downloaded = proxy.get("/v1/files/" + id(created.body()) + "/content");
        assertThat(downloaded.body()).isEqualTo(content);
    }

    @Test
    void shouldHoldTheUploadUntilItsPurposeWhenTheFileComesFirst() throws Exception {
        String body = field("model", "gpt") + fileHead() + "line\n\r\n" + field("purpose", "user_data") + "--"
                + BOUNDARY + "--\r\n";

        HttpResponse<String> created = upload(body);

        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(created.body()).contains("\"purpose\":\"user_data\"");
        assertThat(mock.requests().get(0).body()).isEqualTo(body.substring(field("model", "gpt").length()));
    }

    @Test
    void shouldRouteByTheFieldsBeforeTheFileAndLeaveALaterOneToTheProvider() throws Exception {
        String body = field("purpose", "batch") + field("model", "gpt") + fileHead() + "line\n\r\n"
                + field("custom_llm_provider", "azure") + "--" + BOUNDARY + "--\r\n";

        HttpResponse<String> refused = upload(body);

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("Unrecognized request argument supplied: custom_llm_provider");
        assertThat(refused.headers().firstValue("x-litellm-model-group")).contains("gpt");
    }

    @Test
    void shouldAnswer400WhenTheFilePartOrThePurposeIsMissing() throws Exception {
        HttpResponse<String> noFile = upload(field("purpose", "batch") + field("file", "not a file") + "--"
                + BOUNDARY + "--\r\n");
        assertThat(noFile.statusCode()).isEqualTo(400);
        assertThat(noFile.body()).contains("Missing required field: file (a file part)");

        HttpResponse<String> noPurpose = upload(fileHead() + "x\r\n--" + BOUNDARY + "--\r\n");
        assertThat(noPurpose.statusCode()).isEqualTo(400);
        assertThat(noPurpose.body()).contains("Missing required field: purpose");

        assertThat(mock.requests()).isEmpty();
        assertThat(proxy.awaitCalls(2).endpoint()).isEqualTo(Endpoint.CREATE_FILE);
    }

    @Test
    void shouldAnswer400ForAMalformedMultipartBody() throws Exception {
        HttpResponse<String> otherBoundary = upload((field("purpose", "batch") + fileHead() + "x\r\n--" + BOUNDARY
                + "--\r\n").replace(BOUNDARY, "someOtherBoundary"));
        assertThat(otherBoundary.statusCode()).isEqualTo(400);
        assertThat(otherBoundary.body()).contains("The multipart body ended before its closing boundary");

        HttpResponse<String> noLineBreak = upload("--" + BOUNDARY + "xx" + field("purpose", "batch"));
        assertThat(noLineBreak.statusCode()).isEqualTo(400);
        assertThat(noLineBreak.body()).contains("Malformed multipart body");
        assertThat(mock.requests()).isEmpty();
    }

    @Test
    void shouldCloseTheUpstreamConnectionAndRecordTheCallWhenTheClientStopsMidUpload() throws Exception {
        String head = field("purpose", "batch") + field("model", "gpt") + fileHead();
        try (RawClient raw = new RawClient(proxy.port())) {
            raw.send("POST /v1/files HTTP/1.1\r\nHost: x\r\nContent-Type: " + MULTIPART
                    + "\r\nContent-Length: 10000000\r\n\r\n" + head);
            raw.sendRaw(new byte[512 * 1024]);
            await().atMost(Duration.ofSeconds(5)).until(() -> mock.openConnections() == 1);
        }
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.error()).isEqualTo(ProxyError.CLIENT_CLOSED);
        assertThat(call.endpoint()).isEqualTo(Endpoint.CREATE_FILE);
        assertThat(call.deploymentId()).isNotNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> mock.openConnections() == 0);
        assertThat(mock.requests()).isEmpty();
    }

    @Test
    void shouldStopReadingTheClientWhileTheProviderDoesNotRead() throws Exception {
        // The mock stops reading an upload with a field valued stall-upload for a few seconds.
        byte[] head = (field("purpose", "stall-upload") + field("model", "gpt") + fileHead())
                .getBytes(StandardCharsets.UTF_8);
        long declared = 140L * 1024 * 1024;
        AtomicLong written = new AtomicLong();
        try (RawClient raw = new RawClient(proxy.port())) {
            raw.send("POST /v1/files HTTP/1.1\r\nHost: x\r\nContent-Type: " + MULTIPART
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
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.error()).isEqualTo(ProxyError.CLIENT_CLOSED);
        assertThat(call.endpoint()).isEqualTo(Endpoint.CREATE_FILE);
        await().atMost(Duration.ofSeconds(10)).until(() -> mock.openConnections() == 0);
    }

    @Test
    void shouldRefuseAnUnknownModelBeforeTheFileArrivesAndCloseTheConnection() throws Exception {
        String head = field("purpose", "batch") + field("model", "nope") + fileHead();
        try (RawClient raw = new RawClient(proxy.port())) {
            raw.send("POST /v1/files HTTP/1.1\r\nHost: x\r\nContent-Type: " + MULTIPART
                    + "\r\nContent-Length: 10000000\r\n\r\n" + head);
            RawClient.Response response = raw.readResponse();
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.body()).contains("Model 'nope' not found in model_list");
            raw.sendRaw(new byte[64 * 1024]);
        }
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.error()).isEqualTo(ProxyError.UNKNOWN_MODEL);
        assertThat(call.endpoint()).isEqualTo(Endpoint.CREATE_FILE);
        assertThat(mock.requests()).isEmpty();
        assertThat(mock.openConnections()).isZero();
    }

    @Test
    void shouldCheckTheKeyBeforeRelayingTheUpload() throws Exception {
        String body = field("purpose", "batch") + fileHead() + "x\r\n--" + BOUNDARY + "--\r\n";
        String config = """
                model_list:
                  - model_name: gpt
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %1$s/v1
                      api_key: sk-test
                general_settings:
                  master_key: sk-master
                """.formatted(mock.origin());
        try (ProxyFixture keyed = ProxyFixture.start(Files.createDirectories(dir.resolve("keyed")), config)) {
            assertThat(upload(keyed, body, "Bearer sk-wrong").statusCode()).isEqualTo(401);
            assertThat(upload(keyed, body, "Bearer sk-master").statusCode()).isEqualTo(200);
            assertThat(keyed.awaitCalls(2).endpoint()).isEqualTo(Endpoint.CREATE_FILE);
        }
        assertThat(mock.requests()).hasSize(1);
    }

    private HttpResponse<String> upload(ProxyFixture target, String body, String authorization)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(target.uri("/v1/files"))
                .header("Content-Type", MULTIPART)
                .header("Authorization", authorization)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> upload(String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(proxy.uri("/v1/files"))
                .header("Content-Type", MULTIPART)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String field(String name, String value) {
        return "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    }

    private static String fileHead() {
        return "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"requests.jsonl\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n";
    }

    private static String id(String body) {
        Matcher matcher = ID.matcher(body);
        assertThat(matcher.find()).as("an id in %s", body).isTrue();
        return matcher.group(1);
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
            Arrays.fill(b, off, off + n, (byte) 0);
            remaining -= n;
            return n;
        }
    }
}
