package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.proxy.metrics.Exposition;
import dev.llmproxy.proxy.metrics.MetricsSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} over real sockets, with the mock provider answering, failing and refusing. */
class ProxyServerMetricsTest {
    private static final String MASTER_KEY = "sk-master-metrics";
    private static final String USAGE_BODY = "{\"model\":\"gpt-a\",\"messages\":[{\"role\":\"user\",\"content\":"
            + "\"hi\"}],\"mock_usage\":{\"prompt_tokens\":12,\"completion_tokens\":7}}";
    private static final String FAILING_BODY = "{\"model\":\"gpt-a\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}],\"mock_status\":500,\"mock_error_message\":\"boom\"}";

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;
    private int closedPort;

    @BeforeEach
    void setUp() throws IOException {
        mock = MockProvider.start(MockProviderConfig.defaults());
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
    }

    @AfterEach
    void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
        mock.close();
    }

    @Test
    void shouldCountSuccessesFailuresAndRefusalsWhenRequestsArrive() {
        proxy = start(MetricsSettings.DEFAULTS, true);

        assertThat(proxy.post("/v1/chat/completions", USAGE_BODY, auth()).statusCode()).isEqualTo(200);
        assertThat(proxy.post("/v1/chat/completions", FAILING_BODY, auth()).statusCode()).isEqualTo(500);
        assertThat(proxy.chat("dead", auth()).statusCode()).isEqualTo(502);
        assertThat(proxy.chat("gpt-a").statusCode()).isEqualTo(401);
        assertThat(proxy.chat("no-such-model", auth()).statusCode()).isEqualTo(400);
        proxy.awaitCalls(5);

        HttpResponse<String> scrape = proxy.get("/metrics");

        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        Exposition e = Exposition.parse(scrape.body());
        assertThat(e.sum("litellm_proxy_total_requests_metric_total", Map.of())).isEqualTo(5);
        assertThat(e.sum("litellm_proxy_total_requests_metric_total", Map.of("status_code", "200",
                "requested_model", "gpt-a", "model_id", "dep-live", "api_provider", "openai",
                "hashed_api_key", "litellm_proxy_master_key"))).isEqualTo(1);
        assertThat(e.sum("litellm_input_tokens_metric_total", Map.of("model", "gpt-4o-mini"))).isEqualTo(12);
        assertThat(e.sum("litellm_output_tokens_metric_total", Map.of())).isEqualTo(7);
        assertThat(e.sum("litellm_total_tokens_metric_total", Map.of())).isEqualTo(19);
        assertThat(e.sum("litellm_request_total_latency_metric_count", Map.of("model_id", "dep-live")))
                .isEqualTo(1);
        assertThat(e.sum("litellm_overhead_latency_metric_count", Map.of("model_group", "gpt-a"))).isEqualTo(1);
        assertThat(e.sum("litellm_proxy_failed_requests_metric_total", Map.of())).isEqualTo(4);
        assertThat(e.sum("litellm_proxy_failed_requests_metric_total", Map.of("exception_status", "500",
                "exception_class", "Openai.InternalServerError", "model_id", "dep-live"))).isEqualTo(1);
        assertThat(e.sum("litellm_proxy_failed_requests_metric_total", Map.of("exception_status", "502",
                "exception_class", "Openai.APIConnectionError", "model_id", "dep-dead"))).isEqualTo(1);
        assertThat(e.sum("litellm_proxy_failed_requests_metric_total", Map.of("exception_status", "401",
                "exception_class", "ProxyException", "hashed_api_key", "None"))).isEqualTo(1);
        assertThat(e.sum("litellm_proxy_failed_requests_metric_total", Map.of("exception_status", "400",
                "requested_model", "other"))).isEqualTo(1);
        assertThat(e.sum("litellm_deployment_success_responses_total", Map.of("model_id", "dep-live")))
                .isEqualTo(1);
        assertThat(e.sum("litellm_deployment_failure_responses_total", Map.of("model_id", "dep-live",
                "exception_status", "500"))).isEqualTo(1);
        assertThat(e.sum("litellm_deployment_failure_responses_total", Map.of("model_id", "dep-dead",
                "api_base", "http://127.0.0.1:" + closedPort + "/v1"))).isEqualTo(1);
        assertThat(e.sum("litellm_deployment_total_requests_total", Map.of())).isEqualTo(3);
        assertThat(e.sum("litellm_spend_metric_total", Map.of("model_id", "dep-live"))).isPositive();
        assertThat(e.sum("litellm_remaining_requests_metric", Map.of("model_id", "dep-live", "model_group",
                "gpt-a"))).isEqualTo(98);
        assertThat(e.sum("litellm_remaining_tokens_metric", Map.of("model_id", "dep-live"))).isEqualTo(10000 - 19);
    }

    @Test
    void shouldCountStreamTimeToFirstTokenWhenStreamed() {
        proxy = start(MetricsSettings.DEFAULTS, false);

        HttpResponse<String> stream = proxy.post("/v1/chat/completions", "{\"model\":\"gpt-a\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"mock_chunks\":3,"
                + "\"mock_chunk_interval_ms\":0}");
        assertThat(stream.statusCode()).isEqualTo(200);
        proxy.awaitCalls(1);

        Exposition e = Exposition.parse(proxy.get("/metrics").body());
        assertThat(e.sum("litellm_llm_api_time_to_first_token_metric_count", Map.of("model_id", "dep-live",
                "hashed_api_key", "None"))).isEqualTo(1);
        assertThat(e.sum("litellm_deployment_success_responses_total", Map.of())).isEqualTo(1);
    }

    @Test
    void shouldServeScrapeWithoutKeyWhenMetricsArePublic() {
        proxy = start(MetricsSettings.DEFAULTS, true);

        assertThat(proxy.get("/metrics").statusCode()).isEqualTo(200);
        assertThat(proxy.get("/metrics/").statusCode()).isEqualTo(200);
        assertThat(proxy.post("/metrics", "{}").statusCode()).isEqualTo(405);
    }

    @Test
    void shouldRequireKeyForScrapeWhenConfigured() {
        proxy = start(new MetricsSettings(true, MetricsSettings.LATENCY_BUCKETS), true);

        HttpResponse<String> refused = proxy.get("/metrics");
        HttpResponse<String> wrong = proxy.get("/metrics", "Authorization", "Bearer sk-wrong");
        HttpResponse<String> allowed = proxy.get("/metrics", auth());

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("\"error\"");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.body()).contains("# TYPE litellm_callback_logging_failures_metric_total counter");
    }

    @Test
    void shouldWriteOpenMetricsWhenScraperAsksForIt() {
        proxy = start(MetricsSettings.DEFAULTS, false);

        HttpResponse<String> scrape = proxy.get("/metrics", "Accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");

        assertThat(scrape.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/openmetrics-text"));
        assertThat(scrape.body()).endsWith("# EOF\n");
    }

    @Test
    void shouldCompressScrapeWhenScraperAcceptsGzip() {
        proxy = start(MetricsSettings.DEFAULTS, false);

        HttpResponse<String> compressed = proxy.get("/metrics", "Accept-Encoding", "gzip");
        HttpResponse<String> plain = proxy.get("/metrics");

        assertThat(compressed.statusCode()).isEqualTo(200);
        assertThat(compressed.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(plain.headers().firstValue("content-encoding")).isEmpty();
        assertThat(plain.body()).contains("# TYPE litellm_callback_logging_failures_metric_total counter");
    }

    @Test
    void shouldAnswer404WhenMetricsAreOff() {
        proxy = ProxyFixture.start(dir, config(false));

        assertThat(proxy.get("/metrics").statusCode()).isEqualTo(404);
    }

    private ProxyFixture start(MetricsSettings settings, boolean masterKey) {
        return ProxyFixture.builder(dir, config(masterKey)).components(c -> c.metrics(settings)).start();
    }

    private String config(boolean masterKey) {
        return """
                model_list:
                  - model_name: gpt-a
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %s
                      api_key: sk-upstream-1
                      rpm: 100
                      tpm: 10000
                    model_info:
                      id: dep-live
                  - model_name: dead
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: http://127.0.0.1:%d/v1
                      api_key: sk-upstream-1
                    model_info:
                      id: dep-dead
                router_settings:
                  num_retries: 0   # one attempt per request: the counts below are per request
                """.formatted(mock.baseUrl(), closedPort)
                + (masterKey ? "general_settings:\n  master_key: " + MASTER_KEY + "\n" : "");
    }

    private static String[] auth() {
        return new String[] {"Authorization", "Bearer " + MASTER_KEY};
    }
}
