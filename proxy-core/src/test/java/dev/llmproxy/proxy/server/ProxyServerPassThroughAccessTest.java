package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.upstream.ForwardProxy;
import dev.llmproxy.proxy.upstream.Origin;
import dev.llmproxy.proxy.upstream.Upstream;
import dev.llmproxy.proxy.upstream.UpstreamClient;
import dev.llmproxy.proxy.upstream.UpstreamConnector;
import dev.llmproxy.proxy.upstream.UpstreamExchange;
import io.netty.channel.EventLoop;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who reaches a pass-through route, and where it goes: provider prefixes served by an environment key alone (the
 * environment injected, never the real one), {@code allowed_ips} on routes without auth, a configured route that
 * shadows a built-in one, and a body that fails while the target's connection is being made.
 */
class ProxyServerPassThroughAccessTest {
    private static final String MASTER_KEY = "sk-master";
    /** The server's default transport, whose event loops the held upstream's connections must use. */
    private static final Transport TRANSPORT = Transport.best();

    @TempDir
    Path dir;

    private MockProvider mock;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).streamChunkIntervalMillis(0)
                .streamFirstChunkDelayMillis(0).build());
    }

    @AfterEach
    void tearDown() {
        mock.close();
    }

    @Test
    void shouldServeProviderPrefixesFromTheEnvironmentsKeysWithoutADeployment() {
        try (ProxyFixture proxy = ProxyFixture.builder(dir, """
                general_settings:
                  master_key: sk-master
                """).env(Map.of("ANTHROPIC_API_KEY", "sk-ant-env", "ANTHROPIC_API_BASE", mock.origin(),
                        "OPENAI_API_KEY", "sk-openai-env", "OPENAI_API_BASE", mock.origin() + "/v1",
                        "GEMINI_API_KEY", "gemini-env", "GEMINI_API_BASE", mock.origin())).start()) {
            HttpResponse<String> anthropic = proxy.post("/anthropic/v1/messages", """
                    {"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""",
                    "x-api-key", MASTER_KEY, "anthropic-version", "2023-06-01");
            HttpResponse<String> openAi = proxy.post("/openai/v1/chat/completions",
                    ProxyFixture.CHAT_BODY.formatted("gpt-4.1"), "Authorization", "Bearer " + MASTER_KEY);
            HttpResponse<String> cohere = proxy.post("/cohere/v1/rerank", "{}", "Authorization", "Bearer " + MASTER_KEY);

            assertThat(anthropic.statusCode()).isEqualTo(200);
            assertThat(anthropic.body()).contains("\"type\":\"message\"");
            RecordedRequest toAnthropic = mock.requests().get(0);
            assertThat(toAnthropic.uri()).isEqualTo("/v1/messages");
            assertThat(toAnthropic.header("x-api-key")).isEqualTo("sk-ant-env");
            assertThat(openAi.statusCode()).isEqualTo(200);
            RecordedRequest toOpenAi = mock.requests().get(1);
            assertThat(toOpenAi.uri()).isEqualTo("/v1/chat/completions");
            assertThat(toOpenAi.header("Authorization")).isEqualTo("Bearer sk-openai-env");
            assertThat(cohere.statusCode()).as("no COHERE_API_KEY: no route").isEqualTo(404);
            CallRecord call = proxy.awaitCalls(1);
            assertThat(call.endpoint()).isEqualTo(Endpoint.PASS_THROUGH);
            assertThat(call.deploymentId()).isNull();
        }
    }

    @Test
    void shouldRefuseAClientOutsideAllowedIpsOnARouteWithoutAuth() {
        try (ProxyFixture proxy = ProxyFixture.start(dir, """
                general_settings:
                  allowed_ips: ["10.1.2.3"]
                  pass_through_endpoints:
                    - path: /open
                      target: %s/v1/chat/completions
                """.formatted(mock.origin()))) {
            HttpResponse<String> withBody = proxy.post("/open", ProxyFixture.CHAT_BODY.formatted("gpt-4.1"));
            HttpResponse<String> withoutBody = proxy.get("/open");

            assertThat(withBody.statusCode()).isEqualTo(403);
            assertThat(withBody.body()).contains("\"message\":\"Access forbidden: IP address not allowed.\"");
            assertThat(withoutBody.statusCode()).isEqualTo(403);
            assertThat(mock.requests()).isEmpty();
            CallRecord call = proxy.awaitCalls(1);
            assertThat(call.error()).isEqualTo(ProxyError.IP_NOT_ALLOWED);
            assertThat(call.endpoint()).isEqualTo(Endpoint.PASS_THROUGH);
        }
    }

    @Test
    void shouldLetAnAllowedClientThroughARouteWithoutAuth() {
        try (ProxyFixture proxy = ProxyFixture.start(dir, """
                general_settings:
                  allowed_ips: ["127.0.0.1"]
                  pass_through_endpoints:
                    - path: /open
                      target: %s/v1/chat/completions
                """.formatted(mock.origin()))) {
            assertThat(proxy.post("/open", ProxyFixture.CHAT_BODY.formatted("gpt-4.1")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void shouldForwardAConfiguredRouteWithoutAuthThatShadowsABuiltInRoute() {
        try (ProxyFixture proxy = ProxyFixture.start(dir, """
                general_settings:
                  master_key: sk-master
                  pass_through_endpoints:
                    - path: /v1/embeddings
                      target: %s/v1/embeddings
                """.formatted(mock.origin()))) {
            HttpResponse<String> response = proxy.post("/v1/embeddings",
                    "{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"embedding\"");
            assertThat(mock.requests()).hasSize(1);
            assertThat(proxy.awaitCalls(1).endpoint()).isEqualTo(Endpoint.PASS_THROUGH);
        }
    }

    @Test
    void shouldAnswerTheBodysOwnErrorWhenItFailedWhileTheTargetsConnectionWasMade() throws Exception {
        HeldUpstream upstream = new HeldUpstream();
        try (ProxyFixture proxy = ProxyFixture.builder(dir, """
                general_settings:
                  pass_through_endpoints:
                    - path: /slow
                      target: %s/v1/chat/completions
                """.formatted(mock.origin())).components(components -> components.upstream(upstream)
                        .requestBufferBytes(64 * 1024)).start();
                RawClient client = new RawClient(proxy.port())) {
            client.send("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> upstream.asked.get() == 1);
            String chunk = "x".repeat(32 * 1024);
            for (int i = 0; i < 3; i++) {
                client.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
            }
            // The server reads the chunks at once (nothing pauses it below 1 MiB): the third overflows the budget.
            Thread.sleep(500);
            upstream.connect();

            RawClient.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(503);
            assertThat(response.body()).contains("too many request bodies");
            assertThat(mock.requests()).isEmpty();
            assertThat(proxy.awaitCalls(1).error()).isEqualTo(ProxyError.REQUEST_BUFFERS_FULL);
        } finally {
            upstream.close();
        }
    }

    /** Real upstream connections, each made only once the test lets it. */
    private static final class HeldUpstream implements Upstream, AutoCloseable {
        private final UpstreamClient real = new UpstreamClient(
                new UpstreamConnector(TRANSPORT.socketChannelType(), TRANSPORT.datagramChannelType(),
                        ForwardProxy.NONE), 4,
                Duration.ofSeconds(30), System::nanoTime);
        private final CompletableFuture<Void> released = new CompletableFuture<>();
        final AtomicInteger asked = new AtomicInteger();

        @Override
        public void acquire(EventLoop loop, Origin origin, int connectTimeoutMillis, UpstreamExchange exchange) {
            asked.incrementAndGet();
            released.thenRun(() -> loop.execute(() -> real.acquire(loop, origin, connectTimeoutMillis, exchange)));
        }

        void connect() {
            released.complete(null);
        }

        @Override
        public void close() {
            released.complete(null);
        }
    }
}
