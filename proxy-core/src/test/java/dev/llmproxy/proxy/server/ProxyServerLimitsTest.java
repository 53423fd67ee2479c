package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deployment limits over real sockets against the mock provider, on a wall clock the test moves: rpm, a group whose
 * second deployment takes over, max_parallel_requests with a held stream, tpm charged from usage, and the 429.
 */
class ProxyServerLimitsTest {
    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    @TempDir
    Path dir;

    /** 15.5 s into a minute: a refused call waits 44.5 s, which the header rounds up to 45. */
    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T16:00:15.500Z"));
    private MockProvider mock;
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
        mock.close();
    }

    @Test
    void shouldAdmitExactlyRpmRequestsThenAnswer429WithRetryAfterUntilTheNextMinute() {
        start("""
                  - model_name: gpt-a
                    litellm_params: {model: openai/gpt-4o-mini, api_base: %1$s, api_key: sk-up, rpm: 3}
                """);

        for (int i = 0; i < 3; i++) {
            assertThat(proxy.chat("gpt-a").statusCode()).isEqualTo(200);
        }
        HttpResponse<String> refused = proxy.chat("gpt-a");

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).hasValue("45");
        assertThat(refused.headers().firstValue("x-litellm-call-id")).isPresent();
        assertThat(refused.body())
                .contains("\"message\":\"No deployments available for selected model, Try again in 45 seconds. "
                        + "Passed model=gpt-a\"")
                .contains("\"type\":\"rate_limit_error\"")
                .contains("\"code\":\"429\"");
        assertThat(mock.requestsReceived()).isEqualTo(3);
        CallRecord record = proxy.awaitCalls(4);
        assertThat(record.status()).isEqualTo(429);
        assertThat(record.error()).isEqualTo(ProxyError.NO_DEPLOYMENT_AVAILABLE);
        assertThat(record.attempts()).isEmpty();

        clock.advance(Duration.ofMillis(44_499));
        assertThat(proxy.chat("gpt-a").headers().firstValue("retry-after")).hasValue("1");
        clock.advance(Duration.ofMillis(1));
        assertThat(proxy.chat("gpt-a").statusCode()).isEqualTo(200);
        assertThat(mock.requestsReceived()).isEqualTo(4);
    }

    @Test
    void shouldSendRequestsToTheSecondDeploymentWhenTheFirstIsAtItsLimit() {
        start("""
                  - model_name: gpt-a
                    litellm_params: {model: openai/gpt-4o-mini, api_base: %1$s, api_key: sk-up, rpm: 2, order: 1}
                    model_info: {id: first}
                  - model_name: gpt-a
                    litellm_params: {model: openai/gpt-4o-mini, api_base: %1$s, api_key: sk-up, rpm: 1, order: 2}
                    model_info: {id: second}
                """);

        List<String> answeredBy = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = proxy.chat("gpt-a");
            assertThat(response.statusCode()).isEqualTo(200);
            answeredBy.add(response.headers().firstValue("x-litellm-model-id").orElseThrow());
        }
        HttpResponse<String> refused = proxy.chat("gpt-a");

        assertThat(answeredBy).containsExactly("first", "first", "second");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).hasValue("45");
    }

    @Test
    void shouldRefuseASecondRequestWhileTheOnlyParallelSlotIsHeldByAStream() throws Exception {
        start("""
                  - model_name: gpt-a
                    litellm_params: {model: openai/gpt-4o-mini, api_base: %1$s, api_key: sk-up,
                                     max_parallel_requests: 1}
                """);
        String held = "{\"model\":\"gpt-a\"," + MESSAGES + ",\"stream\":true,\"mock_chunks\":3,"
                + "\"mock_chunk_interval_ms\":0,\"mock_hold_after_chunks\":1,\"mock_hold_ms\":30000}";

        try (RawClient stream = new RawClient(proxy.port())) {
            stream.send(RawClient.post("/v1/chat/completions", held, ""));
            assertThat(stream.readHead().status()).isEqualTo(200);
            assertThat(stream.readChunk()).isNotNull();

            HttpResponse<String> refused = proxy.chat("gpt-a");

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
            assertThat(refused.body()).contains("\"type\":\"rate_limit_error\"");
            stream.abort();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.server().activeCalls() == 0);

        assertThat(proxy.chat("gpt-a").statusCode()).as("the slot came back when the stream ended").isEqualTo(200);
    }

    @Test
    void shouldChargeTokensFromTheUsageOfStreamedAndPlainResponses() {
        start("""
                  - model_name: gpt-a
                    litellm_params: {model: openai/gpt-4o-mini, api_base: %1$s, api_key: sk-up, tpm: 100}
                """);
        String streamed = "{\"model\":\"gpt-a\"," + MESSAGES + ",\"stream\":true,\"mock_chunks\":2,"
                + "\"mock_chunk_interval_ms\":0,\"mock_usage\":{\"prompt_tokens\":90,\"completion_tokens\":5}}";
        String plain = "{\"model\":\"gpt-a\"," + MESSAGES
                + ",\"mock_usage\":{\"prompt_tokens\":8,\"completion_tokens\":2}}";

        assertThat(proxy.post("/v1/chat/completions", streamed).statusCode()).isEqualTo(200);
        assertThat(proxy.awaitCalls(1).usage().totalTokens()).isEqualTo(95);
        assertThat(proxy.post("/v1/chat/completions", plain).statusCode()).as("95 of 100 tokens").isEqualTo(200);
        assertThat(proxy.awaitCalls(2).usage().totalTokens()).isEqualTo(10);
        HttpResponse<String> refused = proxy.chat("gpt-a");

        assertThat(refused.statusCode()).as("105 of 100 tokens: both usages were charged").isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).hasValue("45");
        clock.advance(Duration.ofSeconds(45));
        assertThat(proxy.chat("gpt-a").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldNotLimitDeploymentsWithoutLimits() {
        start("""
                  - model_name: gpt-a
                    litellm_params: {model: openai/gpt-4o-mini, api_base: %1$s, api_key: sk-up}
                """);

        for (int i = 0; i < 20; i++) {
            assertThat(proxy.chat("gpt-a").statusCode()).isEqualTo(200);
        }
    }

    private void start(String models) {
        proxy = ProxyFixture.builder(dir, "model_list:\n" + models.formatted(mock.baseUrl()))
                .components(components -> components.clock(clock))
                .start();
    }
}
