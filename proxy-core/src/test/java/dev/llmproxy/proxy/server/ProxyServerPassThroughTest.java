package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.metrics.Exposition;
import dev.llmproxy.proxy.metrics.MetricsSettings;
import dev.llmproxy.proxy.provider.Endpoint;
import io.netty.util.internal.PlatformDependent;
import java.io.ByteArrayInputStream;
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
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pass-through routes end to end over real sockets: {@code general_settings.pass_through_endpoints} and the
 * providers' prefixes, forwarded to the mock providers with the route's or the deployment's credentials, bodies
 * streamed both ways.
 */
class ProxyServerPassThroughTest {
    private static final String MASTER_KEY = "sk-master";
    private static final String BOUNDARY = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6";
    private static final String MULTIPART = "multipart/form-data; boundary=" + BOUNDARY;

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;
    private HttpClient client;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).streamChunkIntervalMillis(0)
                .streamFirstChunkDelayMillis(0).build());
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: gpt
                    litellm_params:
                      model: openai/gpt-4.1
                      api_base: %1$s/v1
                      api_key: sk-openai-test
                  - model_name: claude
                    litellm_params:
                      model: anthropic/claude-sonnet-4-5
                      api_base: %1$s
                      api_key: sk-ant-test
                  - model_name: gem
                    litellm_params:
                      model: gemini/gemini-2.5-flash
                      api_base: %1$s
                      api_key: gem-key
                general_settings:
                  master_key: sk-master
                  max_upload_size_mb: 150
                  pass_through_endpoints:
                    - path: /custom/chat
                      target: %1$s/v1/chat/completions
                      headers:
                        Authorization: "Bearer os.environ/PT_KEY"
                    - path: /secured
                      target: %1$s/v1
                      auth: true
                      include_subpath: true
                      forward_headers: true
                    - path: /down
                      target: http://127.0.0.1:1/v1/chat/completions
                """.formatted(mock.origin())).env(Map.of("PT_KEY", "pt-secret")).start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldForwardAConfiguredRouteWithItsHeadersAndNoKey() {
        HttpResponse<String> response = proxy.post("/custom/chat?trace=1", ProxyFixture.CHAT_BODY.formatted("gpt-4.1"),
                "Authorization", "Bearer client-token");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("chat.completion");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1/chat/completions?trace=1");
        assertThat(upstream.header("Authorization")).isEqualTo("Bearer pt-secret");
        assertThat(upstream.body()).isEqualTo(ProxyFixture.CHAT_BODY.formatted("gpt-4.1"));
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.PASS_THROUGH);
        assertThat(call.status()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-call-id")).hasValue(call.callId());
    }

    @Test
    void shouldRefuseARouteWithAuthWhenTheKeyIsMissing() {
        HttpResponse<String> response = proxy.post("/secured/chat/completions", ProxyFixture.CHAT_BODY.formatted("x"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("\"error\"");
        assertThat(mock.requests()).isEmpty();
        assertThat(proxy.awaitCalls(1).endpoint()).isEqualTo(Endpoint.PASS_THROUGH);
    }

    @Test
    void shouldForwardTheClientsHeadersAndSubpathWhenTheRouteSaysSo() {
        HttpResponse<String> response = proxy.post("/secured/chat/completions",
                ProxyFixture.CHAT_BODY.formatted("gpt-4.1"), "Authorization", "Bearer " + MASTER_KEY,
                "x-custom", "kept", "x-pass-anthropic-beta", "tools-2024");

        assertThat(response.statusCode()).isEqualTo(200);
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1/chat/completions");
        assertThat(upstream.header("x-custom")).isEqualTo("kept");
        assertThat(upstream.header("anthropic-beta")).isEqualTo("tools-2024");
        // The route adds no credential of its own: with forward_headers the client's go along, as with LiteLLM.
        assertThat(upstream.header("Authorization")).isEqualTo("Bearer " + MASTER_KEY);
        assertThat(proxy.awaitCalls(1).principal()).isNotNull();
    }

    @Test
    void shouldCallAnthropicWithTheDeploymentsKeyInsteadOfTheProxyKey() {
        HttpResponse<String> response = proxy.post("/anthropic/v1/messages", """
                {"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""",
                "x-api-key", MASTER_KEY, "anthropic-version", "2023-06-01");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"type\":\"message\"");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1/messages");
        assertThat(upstream.header("x-api-key")).isEqualTo("sk-ant-test");
        assertThat(upstream.header("anthropic-version")).isEqualTo("2023-06-01");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.modelGroup()).isEqualTo("claude");
    }

    @Test
    void shouldReadTheUsageOfAProviderRoutesAnswersAsTheyPass() throws Exception {
        String messages = """
                {"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]%s}""";
        String[] key = {"x-api-key", MASTER_KEY, "anthropic-version", "2023-06-01"};

        HttpResponse<String> plain = proxy.post("/anthropic/v1/messages", messages.formatted(""), key);
        CallRecord plainCall = proxy.awaitCalls(1);
        HttpResponse<String> streamed = proxy.post("/anthropic/v1/messages", messages.formatted(",\"stream\":true"),
                key);
        CallRecord streamedCall = proxy.awaitCalls(2);
        HttpResponse<String> openAi = proxy.post("/openai/v1/chat/completions", """
                {"model":"gpt-4.1","stream":true,"stream_options":{"include_usage":true},"mock_chunks":5,
                 "messages":[{"role":"user","content":"hi"}]}""", "Authorization", "Bearer " + MASTER_KEY);
        CallRecord openAiCall = proxy.awaitCalls(3);

        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plainCall.usage()).isEqualTo(usageIn(plain.body(), "input_tokens", "output_tokens"));
        assertThat(plainCall.stream()).isFalse();
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamedCall.stream()).isTrue();
        assertThat(streamedCall.usage()).isNotNull();
        assertThat(streamedCall.usage().completionTokens()).isPositive();
        assertThat(openAi.statusCode()).isEqualTo(200);
        assertThat(openAiCall.usage()).isEqualTo(usageIn(openAi.body(), "prompt_tokens", "completion_tokens"));
        assertThat(openAiCall.usage().completionTokens()).isPositive();
    }

    @Test
    void shouldReadTheUsageMetadataOfGeminiAnswersAsTheyPass() {
        String body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}";
        String[] key = {"Authorization", "Bearer " + MASTER_KEY};

        HttpResponse<String> plain = proxy.post("/gemini/v1beta/models/gemini-2.5-flash:generateContent", body, key);
        CallRecord plainCall = proxy.awaitCalls(1);
        HttpResponse<String> streamed = proxy.post(
                "/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", body, key);
        CallRecord streamedCall = proxy.awaitCalls(2);

        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(mock.requests().get(0).header("x-goog-api-key")).isEqualTo("gem-key");
        assertThat(plainCall.usage()).isEqualTo(usageIn(plain.body(), "promptTokenCount", "candidatesTokenCount"));
        assertThat(plainCall.modelGroup()).isEqualTo("gem");
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamedCall.stream()).isTrue();
        assertThat(streamedCall.usage())
                .isEqualTo(usageIn(streamed.body(), "promptTokenCount", "candidatesTokenCount"));
    }

    /** The usage an answer reports under {@code prompt} and {@code completion} (its last report, for a stream). */
    private static Usage usageIn(String body, String prompt, String completion) {
        java.util.regex.Matcher p = java.util.regex.Pattern.compile("\"" + prompt + "\":(\\d+)").matcher(body);
        java.util.regex.Matcher c = java.util.regex.Pattern.compile("\"" + completion + "\":(\\d+)").matcher(body);
        long prompted = -1;
        long completed = -1;
        while (p.find()) {
            prompted = Long.parseLong(p.group(1));
        }
        while (c.find()) {
            completed = Long.parseLong(c.group(1));
        }
        return Usage.of(prompted, completed);
    }

    @Test
    void shouldRelayTheTargetsErrorAsItIs() {
        HttpResponse<String> response = proxy.get("/anthropic/v1/no-such-path", "x-api-key", MASTER_KEY);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(mock.requests().get(0).uri()).isEqualTo("/v1/no-such-path");
        assertThat(proxy.awaitCalls(1).status()).isEqualTo(404);
    }

    @Test
    void shouldLeaveTheAzureStylePathAModelCall() {
        HttpResponse<String> response = proxy.post("/openai/deployments/gpt/chat/completions",
                ProxyFixture.CHAT_BODY.formatted("gpt"), "Authorization", "Bearer " + MASTER_KEY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(proxy.awaitCalls(1).endpoint()).isEqualTo(Endpoint.CHAT_COMPLETIONS);
    }

    @Test
    void shouldStreamServerSentEventsThroughTheOpenAiPrefix() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(proxy.uri("/openai/v1/chat/completions"))
                .header("Authorization", "Bearer " + MASTER_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"gpt-4.1","stream":true,"mock_chunks":2000,
                         "messages":[{"role":"user","content":"hi"}]}"""))
                .timeout(Duration.ofSeconds(30))
                .build();
        long baseline = PlatformDependent.usedDirectMemory();
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
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
        assertThat(mock.requests().get(0).header("Authorization")).isEqualTo("Bearer sk-openai-test");
        assertThat(peak.get() - baseline).as("direct memory growth").isLessThan(32L * 1024 * 1024);
    }

    @Test
    void shouldStreamALargeUploadWithFlatMemory() throws Exception {
        long fileBytes = 100L * 1024 * 1024;
        String prefix = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n"
                + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n";
        byte[] head = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8);
        long length = head.length + fileBytes + tail.length;
        HttpRequest request = HttpRequest.newBuilder(proxy.uri("/openai/v1/audio/transcriptions"))
                .header("Authorization", "Bearer " + MASTER_KEY)
                .header("Content-Type", MULTIPART)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new SequenceInputStream(new SequenceInputStream(new ByteArrayInputStream(head),
                                new ZeroStream(fileBytes)), new ByteArrayInputStream(tail))), length))
                .build();
        long baseline = PlatformDependent.usedDirectMemory();
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
        assertThat(response.body()).contains("\"text\"");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.header("Content-Length")).isEqualTo(Long.toString(length));
        assertThat(upstream.header("Authorization")).isEqualTo("Bearer sk-openai-test");
        assertThat(peak.get() - baseline).as("direct memory growth").isLessThan(32L * 1024 * 1024);
    }

    @Test
    void shouldCountPassThroughCallsInTheMetrics() throws Exception {
        Path other = Files.createDirectories(dir.resolve("metrics"));
        try (ProxyFixture counted = ProxyFixture.builder(other, """
                general_settings:
                  pass_through_endpoints:
                    - path: /custom/chat
                      target: %s/v1/chat/completions
                """.formatted(mock.origin())).components(b -> b.metrics(MetricsSettings.DEFAULTS)).start()) {
            assertThat(counted.post("/custom/chat", ProxyFixture.CHAT_BODY.formatted("gpt-4.1")).statusCode())
                    .isEqualTo(200);
            counted.awaitCalls(1);

            Exposition e = Exposition.parse(counted.get("/metrics").body());

            assertThat(e.sum("litellm_proxy_total_requests_metric_total", Map.of("route", "/", "status_code",
                    "200"))).isEqualTo(1);
        }
    }

    @Test
    void shouldAnswer502WhenTheTargetIsDown() {
        HttpResponse<String> response = proxy.post("/down", "{}");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("\"error\"").contains("api_connection_error");
        assertThat(proxy.awaitCalls(1).error()).isEqualTo(ProxyError.UPSTREAM_CONNECT_FAILED);
    }

    @Test
    void shouldCloseTheUpstreamConnectionWhenTheClientLeavesMidUpload() throws Exception {
        try (RawClient raw = new RawClient(proxy.port())) {
            raw.send("POST /openai/v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + MASTER_KEY + "\r\nContent-Type: " + MULTIPART + "\r\nContent-Length: 10000000\r\n\r\n");
            raw.sendRaw(new byte[512 * 1024]);
            await().atMost(Duration.ofSeconds(5)).until(() -> mock.openConnections() == 1);
        }
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.error()).isEqualTo(ProxyError.CLIENT_CLOSED);
        assertThat(call.endpoint()).isEqualTo(Endpoint.PASS_THROUGH);
        await().atMost(Duration.ofSeconds(5)).until(() -> mock.openConnections() == 0);
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
