package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing strategies, background health checks and the wait for capacity over real sockets against the mock
 * provider: least-busy steering around a held stream, a deployment on a dead port taken out of rotation and put back
 * when it answers again, {@code GET /health} and readiness, and requests that wait for the next minute's capacity.
 */
class ProxyServerRoutingTest {
    private static final String KEY = "sk-routing-test-master-key-0123456789";
    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    @TempDir
    Path dir;

    private MockProvider mock;
    private MockProvider revived;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().build());
    }

    @AfterEach
    void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
        if (revived != null) {
            revived.close();
        }
        mock.close();
    }

    @Test
    void shouldSendRequestsAroundADeploymentBusyWithAStreamWhenLeastBusy() throws Exception {
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - {model_name: g, litellm_params: {model: openai/m, api_base: %1$s, api_key: sk-up},
                     model_info: {id: first}}
                  - {model_name: g, litellm_params: {model: openai/m, api_base: %1$s, api_key: sk-up},
                     model_info: {id: second}}
                router_settings: {routing_strategy: least-busy}
                """.formatted(mock.baseUrl()));
        String held = "{\"model\":\"g\"," + MESSAGES + ",\"stream\":true,\"mock_chunks\":3,"
                + "\"mock_chunk_interval_ms\":0,\"mock_hold_after_chunks\":1,\"mock_hold_ms\":30000}";

        try (RawClient stream = new RawClient(proxy.port())) {
            stream.send(RawClient.post("/v1/chat/completions", held, ""));
            RawClient.Head head = stream.readHead();
            assertThat(head.status()).isEqualTo(200);
            String busy = head.headers().get("x-litellm-model-id");

            for (int i = 0; i < 10; i++) {
                HttpResponse<String> response = proxy.chat("g");
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("x-litellm-model-id")).isPresent().get()
                        .isNotEqualTo(busy);
            }
        }
    }

    @Test
    void shouldTakeADeploymentThatFailsItsHealthCheckOutOfRotationUntilItPasses() {
        int deadPort;
        try (MockProvider dead = MockProvider.start(MockProviderConfig.builder().build())) {
            deadPort = dead.port();
        }
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - {model_name: g, litellm_params: {model: openai/m, api_base: %1$s, api_key: sk-up-secret-1},
                     model_info: {id: alive}}
                  - {model_name: g, litellm_params: {model: openai/m, api_base: "http://127.0.0.1:%2$d/v1",
                     api_key: sk-up-secret-2}, model_info: {id: dead}}
                  - {model_name: e, litellm_params: {model: openai/text-embedding-3-small, api_base: %1$s},
                     model_info: {id: embed, mode: embedding}}
                general_settings:
                  master_key: %3$s
                  background_health_checks: true
                  health_check_interval: 1
                """.formatted(mock.baseUrl(), deadPort, KEY));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> proxy.get("/health/readiness").body().contains("\"healthy_deployments\":2"));
        String report = health();
        assertThat(report).contains("\"healthy_count\":2,\"unhealthy_count\":1").contains("\"model_id\":\"dead\"")
                .contains("\"custom_llm_provider\":\"openai\"").contains("\"mode\":\"embedding\"")
                .contains("\"error\":\"cannot connect to the provider (connection refused)\"")
                .doesNotContain("sk-up-secret").doesNotContain(KEY);
        assertThat(proxy.get("/health/readiness").body()).contains("\"deployments\":3");
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = proxy.chat("g", "authorization", "Bearer " + KEY);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("x-litellm-model-id")).hasValue("alive");
        }

        revived = MockProvider.start(MockProviderConfig.builder().port(deadPort).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> health().contains("\"unhealthy_count\":0"));
        Set<String> answeredBy = new HashSet<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            answeredBy.add(proxy.chat("g", "authorization", "Bearer " + KEY).headers()
                    .firstValue("x-litellm-model-id").orElse(""));
            return answeredBy.contains("dead");
        });
        assertThat(revived.requestsReceived()).isGreaterThan(1);
    }

    @Test
    void shouldProbeOnDemandAndRequireAKeyForHealth() {
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - {model_name: g, litellm_params: {model: openai/m, api_base: %1$s, api_key: sk-up},
                     model_info: {id: one}}
                  - {model_name: mock, litellm_params: {model: openai/x, mock_response: hi}}
                general_settings: {master_key: %2$s}
                """.formatted(mock.baseUrl(), KEY));

        assertThat(proxy.get("/health").statusCode()).isEqualTo(401);
        HttpResponse<String> response = proxy.get("/health", "authorization", "Bearer " + KEY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("{\"healthy_endpoints\":[{\"model\":\"openai/m\"")
                .contains("\"healthy_count\":2,\"unhealthy_count\":0");
        assertThat(mock.requestsReceived()).as("one probe; the mock deployment needs none").isEqualTo(1);
        assertThat(proxy.get("/health?model=mock", "authorization", "Bearer " + KEY).body())
                .contains("\"healthy_count\":1");
    }

    @Test
    void shouldLetARequestWaitForTheNextMinuteInsteadOfA429() throws Exception {
        SettableClock clock = new SettableClock(Instant.parse("2026-12-01T16:00:59.500Z"));
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - {model_name: g, litellm_params: {model: openai/m, api_base: %1$s, api_key: sk-up, rpm: 1}}
                router_settings: {wait_for_capacity_timeout: 10, wait_for_capacity_max_queue: 1}
                """.formatted(mock.baseUrl()))
                .components(components -> components.clock(clock))
                .start();
        assertThat(proxy.chat("g").statusCode()).isEqualTo(200);

        CompletableFuture<HttpResponse<String>> waiting = chatAsync();
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.server().activeCalls() == 1);
        HttpResponse<String> queueFull = proxy.chat("g");
        clock.advance(Duration.ofSeconds(1));
        HttpResponse<String> waited = waiting.get();

        assertThat(queueFull.statusCode()).isEqualTo(429);
        assertThat(queueFull.headers().firstValue("retry-after")).hasValue("1");
        assertThat(waited.statusCode()).isEqualTo(200);
        assertThat(mock.requestsReceived()).isEqualTo(2);
    }

    @Test
    void shouldAnswer429WhenTheWaitForCapacityRunsOut() throws Exception {
        SettableClock clock = new SettableClock(Instant.parse("2026-12-01T16:00:59.000Z"));
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - {model_name: g, litellm_params: {model: openai/m, api_base: %1$s, api_key: sk-up, rpm: 1}}
                router_settings: {wait_for_capacity_timeout: 2}
                """.formatted(mock.baseUrl()))
                .components(components -> components.clock(clock))
                .start();
        assertThat(proxy.chat("g").statusCode()).isEqualTo(200);

        HttpResponse<String> refused = chatAsync().get();

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
        assertThat(refused.body()).contains("No deployments available for selected model");
        assertThat(mock.requestsReceived()).isEqualTo(1);
        assertThat(proxy.awaitCalls(2).status()).isEqualTo(429);
    }

    private CompletableFuture<HttpResponse<String>> chatAsync() {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(proxy.uri("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ProxyFixture.CHAT_BODY.formatted("g"),
                        StandardCharsets.UTF_8))
                .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private String health() {
        return proxy.get("/health", "authorization", "Bearer " + KEY).body();
    }
}
