package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.proxy.metrics.Exposition;
import dev.llmproxy.proxy.metrics.MetricsSettings;
import dev.llmproxy.proxy.trace.Callbacks;
import dev.llmproxy.proxy.trace.OtlpReceiver;
import dev.llmproxy.proxy.trace.OtlpSpans.Span;
import dev.llmproxy.proxy.trace.TraceSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Traces of requests through a real proxy and the mock provider, to a real OTLP/HTTP receiver. */
class ProxyServerTracingTest {
    private static final String MASTER_KEY = "sk-master-tracing-0123456789";
    private static final String UPSTREAM_KEY = "sk-upstream-tracing-secret";
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String CLIENT_SPAN = "b7ad6b7169203331";
    private static final String USAGE_BODY = "{\"model\":\"gpt-a\",\"messages\":[{\"role\":\"user\",\"content\":"
            + "\"a secret question\"}],\"mock_usage\":{\"prompt_tokens\":12,\"completion_tokens\":7}}";

    @TempDir
    Path dir;

    private MockProvider mock;
    private OtlpReceiver receiver;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.defaults());
        receiver = OtlpReceiver.start();
    }

    @AfterEach
    void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
        receiver.close();
        mock.close();
    }

    @Test
    void shouldContinueTheClientsTraceWithoutKeysOrContentWhenAChatIsProxied() {
        proxy = start(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.baseUrl(), "OTEL_SERVICE_NAME", "gw"));

        HttpResponse<String> response = proxy.post("/v1/chat/completions", USAGE_BODY, "Authorization",
                "Bearer " + MASTER_KEY, "traceparent", "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01");

        assertThat(response.statusCode()).isEqualTo(200);
        String callId = response.headers().firstValue("x-litellm-call-id").orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.spans().size() >= 2);
        List<Span> spans = receiver.spans();
        Span call = spans.stream().filter(span -> span.kind() == Span.SERVER).findFirst().orElseThrow();
        Span attempt = spans.stream().filter(span -> span.kind() == Span.CLIENT).findFirst().orElseThrow();
        assertThat(call.name()).isEqualTo("chat gpt-a");
        assertThat(call.traceId()).isEqualTo(TRACE_ID);
        assertThat(call.parentSpanId()).isEqualTo(CLIENT_SPAN);
        assertThat(call.attributes()).containsEntry("litellm.call_id", callId)
                .containsEntry("gen_ai.provider.name", "openai")
                .containsEntry("gen_ai.usage.input_tokens", 12L)
                .containsEntry("gen_ai.usage.output_tokens", 7L);
        assertThat(call.resource()).containsEntry("service.name", "gw");
        assertThat(attempt.parentSpanId()).isEqualTo(call.spanId());
        assertThat(attempt.name()).isEqualTo("chat gpt-4o-mini");
        assertThat(call.endEpochNanos()).isGreaterThanOrEqualTo(attempt.endEpochNanos());
        assertThat(attempt.startEpochNanos()).isGreaterThanOrEqualTo(call.startEpochNanos());
        for (OtlpReceiver.Export export : receiver.exports()) {
            assertThat(export.path()).isEqualTo("/v1/traces");
            assertThat(export.headers()).containsEntry("Content-Type", "application/x-protobuf");
            String wire = new String(export.body(), StandardCharsets.ISO_8859_1);
            assertThat(wire).doesNotContain(MASTER_KEY, UPSTREAM_KEY, "a secret question");
        }
    }

    @Test
    void shouldCarryTheSamplingParametersAsSentWhenStreamedOrNotAndWhenTranslated() {
        proxy = start(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.baseUrl()));
        String parameters = "\"temperature\":0.3,\"top_p\":1,\"max_tokens\":64,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        for (String body : List.of("{\"model\":\"gpt-a\"," + parameters,
                "{\"model\":\"gpt-a\",\"stream\":true," + parameters,
                "{\"model\":\"claude\"," + parameters,
                "{\"model\":\"claude\",\"stream\":true," + parameters)) {
            assertThat(proxy.post("/v1/chat/completions", body, "Authorization", "Bearer " + MASTER_KEY)
                    .statusCode()).as(body).isEqualTo(200);
        }
        assertThat(proxy.post("/v1/chat/completions", USAGE_BODY, "Authorization", "Bearer " + MASTER_KEY)
                .statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> callSpans().size() >= 5);
        List<Span> calls = callSpans();
        for (Span call : calls.subList(0, 4)) {
            assertThat(call.attributes()).as(call.name())
                    .containsEntry("gen_ai.request.temperature", 0.3)
                    .containsEntry("gen_ai.request.top_p", 1.0)
                    .containsEntry("gen_ai.request.max_tokens", 64L);
        }
        assertThat(calls.stream().map(span -> span.attributes().get("litellm.request.streaming")))
                .containsExactly(false, true, false, true, false);
        assertThat(calls.get(2).attributes()).containsEntry("gen_ai.provider.name", "anthropic");
        assertThat(calls.get(4).attributes()).doesNotContainKeys("gen_ai.request.temperature",
                "gen_ai.request.top_p", "gen_ai.request.max_tokens");
    }

    @Test
    void shouldNameTheAnsweringModelAndFinishReasonsWhenStreamedOrNotAndWhenTranslated() {
        proxy = start(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.baseUrl()));
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        for (String body : List.of("{\"model\":\"gpt-a\"," + messages,
                "{\"model\":\"gpt-a\",\"stream\":true," + messages,
                "{\"model\":\"gpt-a\",\"stream\":true,\"stream_options\":{\"include_usage\":true}," + messages,
                "{\"model\":\"claude\"," + messages,
                "{\"model\":\"claude\",\"stream\":true," + messages)) {
            assertThat(proxy.post("/v1/chat/completions", body, "Authorization", "Bearer " + MASTER_KEY)
                    .statusCode()).as(body).isEqualTo(200);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> callSpans().size() >= 5);
        List<Span> calls = callSpans();
        for (Span call : calls.subList(0, 3)) {
            assertThat(call.attributes()).as(call.name())
                    .containsEntry("gen_ai.response.model", "gpt-4o-mini")
                    .containsEntry("gen_ai.response.finish_reasons", List.of("stop"));
        }
        for (Span call : calls.subList(3, 5)) {
            assertThat(call.attributes()).as(call.name())
                    .containsEntry("gen_ai.response.model", "claude-sonnet-4-5")
                    .containsEntry("gen_ai.response.finish_reasons", List.of("stop"));
        }
    }

    @Test
    void shouldAnswerPromptlyAndCountLostRecordsWhenTheCollectorIsDown() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        proxy = ProxyFixture.builder(dir, config())
                .components(c -> c.metrics(MetricsSettings.DEFAULTS).tracing(settings(Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + closedPort))))
                .start();

        for (int i = 0; i < 5; i++) {
            long started = System.nanoTime();
            assertThat(proxy.post("/v1/chat/completions", USAGE_BODY, "Authorization", "Bearer " + MASTER_KEY)
                    .statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> Exposition.parse(proxy.get("/metrics").body())
                .sum("litellm_callback_logging_failures_metric_total", Map.of("callback_name", "otel")) == 5);
    }

    @Test
    void shouldAnswerPromptlyWhenTheCollectorHangs() {
        receiver.hang();
        proxy = start(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.baseUrl()));

        for (int i = 0; i < 20; i++) {
            long started = System.nanoTime();
            assertThat(proxy.post("/v1/chat/completions", USAGE_BODY, "Authorization", "Bearer " + MASTER_KEY)
                    .statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        }
        receiver.release();
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.spans().size() >= 40);
    }

    /** The call spans received, in the order of their start. */
    private List<Span> callSpans() {
        return receiver.spans().stream().filter(span -> span.kind() == Span.SERVER)
                .sorted(Comparator.comparingLong(Span::startEpochNanos)).toList();
    }

    private ProxyFixture start(Map<String, String> env) {
        return ProxyFixture.builder(dir, config()).components(c -> c.tracing(settings(env))).start();
    }

    private static TraceSettings settings(Map<String, String> env) {
        return TraceSettings.fromEnvironment(Callbacks.of(List.of("otel"), List.of(), List.of()), env)
                .withBounds(TraceSettings.DEFAULT_QUEUE_CAPACITY, 64, Duration.ofMillis(20), Duration.ofSeconds(5));
    }

    private String config() {
        return """
                model_list:
                  - model_name: gpt-a
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %s
                      api_key: %s
                    model_info:
                      id: dep-live
                  - model_name: claude
                    litellm_params:
                      model: anthropic/claude-sonnet-4-5
                      api_base: %s
                      api_key: sk-ant-api03-test
                general_settings:
                  master_key: %s
                """.formatted(mock.baseUrl(), UPSTREAM_KEY, mock.origin(), MASTER_KEY);
    }
}
