package dev.llmproxy.proxy.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.FixedKeyGrant;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.AttemptRecord;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.trace.Callbacks.Outcomes;
import dev.llmproxy.proxy.trace.OtlpSpans.Span;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallTracerTest {
    private static final long MS = 1_000_000L;
    /** The wall time at ticker 0: 2026-01-01T00:00:00Z. */
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";
    private static final String CONFIG = """
            model_list:
              - model_name: gpt-a
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: http://10.0.0.7:8001/v1
                  api_key: sk-upstream-secret
                model_info:
                  id: dep-a
              - model_name: gpt-a
                litellm_params:
                  model: azure/gpt-4o
                  api_base: https://east.openai.azure.com
                  api_key: sk-azure-secret
                  api_version: "2024-06-01"
                model_info:
                  id: dep-b
            """;

    @TempDir
    Path dir;

    private OtlpReceiver receiver;
    private CallTracer tracer;
    private final Map<String, AtomicLong> lost = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() {
        receiver = OtlpReceiver.start();
    }

    @AfterEach
    void tearDown() {
        if (tracer != null) {
            tracer.close();
        }
        receiver.close();
    }

    @Test
    void shouldExportCallSpanWithAttemptChildrenAndGenAiAttributesWhenACallWithARetryEnds() throws IOException {
        tracer = start(settings(receiver.tracesUrl(), Outcomes.BOTH), 1000 * MS);

        tracer.onCallEnded(retriedChat("00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01"));

        List<Span> spans = awaitSpans(3);
        Span call = named(spans, "chat gpt-a");
        assertThat(call.kind()).isEqualTo(Span.SERVER);
        assertThat(call.traceId()).isEqualTo(TRACE_ID);
        assertThat(call.parentSpanId()).isEqualTo(CLIENT_SPAN);
        assertThat(call.status()).isZero();
        assertThat(call.attributes()).containsEntry("gen_ai.operation.name", "chat")
                .containsEntry("gen_ai.request.model", "gpt-a")
                .containsEntry("gen_ai.provider.name", "azure.ai.openai")
                .containsEntry("gen_ai.usage.input_tokens", 12L)
                .containsEntry("gen_ai.usage.output_tokens", 7L)
                .containsEntry("gen_ai.usage.total_tokens", 19L)
                .containsEntry("litellm.call_id", "call-7")
                .containsEntry("litellm.model_group", "gpt-a")
                .containsEntry("litellm.model_id", "dep-b")
                .containsEntry("litellm.provider.model", "gpt-4o")
                .containsEntry("litellm.request.route", "/chat/completions")
                .containsEntry("litellm.request.streaming", true)
                .containsEntry("litellm.attempted_retries", 1L)
                .containsEntry("http.response.status_code", 200L)
                .containsEntry("metadata.user_api_key_user_id", "default_user_id");
        assertThat(call.startEpochNanos()).isEqualTo(epochNanos(EPOCH.plusMillis(1000)));
        assertThat(call.endEpochNanos()).isEqualTo(epochNanos(EPOCH.plusMillis(1400)));
        assertThat(call.resource()).containsEntry("service.name", "litellm")
                .containsEntry("deployment.environment", "production");

        Span failed = named(spans, "chat gpt-4o-mini");
        assertThat(failed.kind()).isEqualTo(Span.CLIENT);
        assertThat(failed.traceId()).isEqualTo(TRACE_ID);
        assertThat(failed.parentSpanId()).isEqualTo(call.spanId());
        assertThat(failed.status()).isEqualTo(Span.ERROR);
        assertThat(failed.attributes()).containsEntry("error.type", "503")
                .containsEntry("litellm.attempt", 1L)
                .containsEntry("server.address", "10.0.0.7")
                .containsEntry("server.port", 8001L)
                .containsEntry("gen_ai.provider.name", "openai")
                .doesNotContainKey("gen_ai.usage.input_tokens");
        Span answered = named(spans, "chat gpt-4o");
        assertThat(answered.parentSpanId()).isEqualTo(call.spanId());
        assertThat(answered.attributes()).containsEntry("litellm.attempt", 2L)
                .containsEntry("server.address", "east.openai.azure.com")
                .containsEntry("server.port", 443L);
        assertThat(answered.startEpochNanos()).isEqualTo(epochNanos(EPOCH.plusMillis(1100)));

        String wire = new String(receiver.exports().get(0).body(), StandardCharsets.ISO_8859_1);
        assertThat(wire).doesNotContain("sk-upstream-secret", "sk-azure-secret", "/v1");
    }

    @Test
    void shouldStartANewTraceWhenTraceparentIsMalformed() throws IOException {
        tracer = start(settings(receiver.tracesUrl(), Outcomes.BOTH), 1000 * MS);

        tracer.onCallEnded(retriedChat("00-" + TRACE_ID + "-" + CLIENT_SPAN));
        tracer.onCallEnded(retriedChat("00-00000000000000000000000000000000-" + CLIENT_SPAN + "-01"));

        List<Span> spans = awaitSpans(6);
        for (Span call : spans.stream().filter(span -> span.kind() == Span.SERVER).toList()) {
            assertThat(call.parentSpanId()).isEmpty();
            assertThat(call.traceId()).isNotEqualTo(TRACE_ID).hasSize(32);
        }
    }

    @Test
    void shouldMarkCallSpanAsErrorAndSkipOtherPathsWhenTheGatewayRefuses() throws IOException {
        tracer = start(settings(receiver.tracesUrl(), Outcomes.BOTH), 1000 * MS);

        tracer.onCallEnded(new CallRecord("health", null, null, null, null, null, 200, null, false, null, 0, 0, MS,
                0, List.of()));
        tracer.onCallEnded(new CallRecord("refused", Endpoint.EMBEDDINGS, "gpt-a", null, null, null, 401,
                ProxyError.INVALID_KEY, false, null, 0, 0, MS, 0, List.of()));

        Span refused = awaitSpans(1).get(0);
        assertThat(refused.name()).isEqualTo("embeddings gpt-a");
        assertThat(refused.status()).isEqualTo(Span.ERROR);
        assertThat(refused.attributes()).containsEntry("error.type", "invalid_key")
                .containsEntry("http.response.status_code", 401L)
                .containsEntry("litellm.call_id", "refused");
    }

    @Test
    void shouldNameTheVirtualKeyByHashAliasUserAndTeamWhenAVirtualKeyCalls() throws IOException {
        tracer = start(settings(receiver.tracesUrl(), Outcomes.BOTH), 1000 * MS);

        tracer.onCallEnded(new CallRecord("by-key", Endpoint.CHAT_COMPLETIONS, "gpt-a", "gpt-a", "dep-a",
                Principal.of(new FixedKeyGrant("88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
                        "ci-bot", "user-9", "team-ml", 0)), 200, null, false, null, 0, 0, MS, 0, List.of()));

        Span call = awaitSpans(1).get(0);
        assertThat(call.attributes())
                .containsEntry("metadata.user_api_key_hash",
                        "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b")
                .containsEntry("metadata.user_api_key_alias", "ci-bot")
                .containsEntry("metadata.user_api_key_user_id", "user-9")
                .containsEntry("metadata.user_api_key_team_id", "team-ml");
    }

    @Test
    void shouldWriteNoSpansWhenTheClientsTraceIsNotSampled() throws IOException {
        tracer = start(settings(receiver.tracesUrl(), Outcomes.BOTH), 1000 * MS);

        tracer.onCallEnded(retriedChat("00-" + TRACE_ID + "-" + CLIENT_SPAN + "-00"));
        tracer.onCallEnded(retriedChat("01-" + TRACE_ID + "-" + CLIENT_SPAN + "-01-future-part"));
        tracer.close();

        List<Span> spans = receiver.spans();
        assertThat(spans).hasSize(3);
        assertThat(spans).allSatisfy(span -> assertThat(span.traceId()).isEqualTo(TRACE_ID));
    }

    @Test
    void shouldKeepEveryLengthExactWhenNamesAreLongOrNotAscii() throws IOException {
        tracer = start(settings(receiver.tracesUrl(), Outcomes.BOTH), 1000 * MS);
        String longModel = "m".repeat(20_000);
        String accented = "modèle-été-模型";

        tracer.onCallEnded(new CallRecord("long", Endpoint.CHAT_COMPLETIONS, longModel, null, null, null, 400,
                ProxyError.UNKNOWN_MODEL, false, null, 0, 0, MS, 0, List.of()));
        tracer.onCallEnded(new CallRecord("accented", Endpoint.CHAT_COMPLETIONS, accented, null, null, null, 400,
                ProxyError.UNKNOWN_MODEL, false, null, 0, 0, MS, 0, List.of()));

        List<Span> spans = awaitSpans(2);
        assertThat(spans).extracting(span -> span.attributes().get("gen_ai.request.model"))
                .containsExactlyInAnyOrder(longModel, accented);
        assertThat(spans).extracting(Span::name).contains("chat " + accented);
    }

    @Test
    void shouldExportOnlyFailuresWhenNamedAsFailureCallback() throws IOException {
        tracer = start(settings(receiver.tracesUrl(), Outcomes.FAILURES), 1000 * MS);

        tracer.onCallEnded(retriedChat(null));
        tracer.onCallEnded(new CallRecord("failed", Endpoint.CHAT_COMPLETIONS, "gpt-a", "gpt-a", "dep-a",
                Principal.MASTER, 502, ProxyError.UPSTREAM_CONNECT_FAILED, false, null, 0, 0, MS, 0,
                List.of(new AttemptRecord("dep-a", 502, ProxyError.UPSTREAM_CONNECT_FAILED, 0, 0, MS))));
        tracer.close();

        List<Span> spans = receiver.spans();
        assertThat(spans).hasSize(2);
        assertThat(spans).filteredOn(span -> span.kind() == Span.SERVER)
                .extracting(span -> span.attributes().get("litellm.call_id")).containsExactly("failed");
    }

    @Test
    void shouldDropAndCountRecordsWithoutWaitingWhenTheCollectorHangs() throws IOException {
        receiver.hang();
        tracer = start(settings(receiver.tracesUrl(), Outcomes.BOTH).withBounds(4, 1, Duration.ZERO,
                Duration.ofSeconds(5)), 1000 * MS);

        long started = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            tracer.onCallEnded(retriedChat(null));
        }
        long tookNanos = System.nanoTime() - started;

        // 1000 offers to a full queue: microseconds each; a blocking exporter would take 5 s per record.
        assertThat(Duration.ofNanos(tookNanos)).isLessThan(Duration.ofSeconds(1));
        assertThat(lost.get("otel").get()).isGreaterThanOrEqualTo(1000 - 4 - 1);
        receiver.release();
    }

    @Test
    void shouldCountEveryRecordAsLostWhenTheCollectorIsDown() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        tracer = start(settings(URI.create("http://127.0.0.1:" + closedPort + "/v1/traces"), Outcomes.BOTH),
                1000 * MS);

        for (int i = 0; i < 5; i++) {
            tracer.onCallEnded(retriedChat(null));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> lost.containsKey("otel") && lost.get("otel").get() == 5);
    }

    @Test
    void shouldCreateTheMlflowExperimentNamedWhenMissingAndExportIntoIt() throws IOException {
        assertThat(exportToMlflowByName(false)).containsExactly(
                "get experiment_name=proxy+runs Bearer tok", "create {\"name\":\"proxy runs\"}", "export 42");
    }

    @Test
    void shouldExportIntoTheMlflowExperimentNamedWhenItExists() throws IOException {
        assertThat(exportToMlflowByName(true)).containsExactly(
                "get experiment_name=proxy+runs Bearer tok", "export 7");
    }

    /** What a tracking server saw when a record was traced with {@code MLFLOW_EXPERIMENT_NAME=proxy runs}. */
    private List<String> exportToMlflowByName(boolean exists) throws IOException {
        List<String> calls = new CopyOnWriteArrayList<>();
        HttpServer mlflow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        mlflow.createContext("/api/2.0/mlflow/experiments/get-by-name", exchange -> {
            calls.add("get " + exchange.getRequestURI().getRawQuery() + " "
                    + exchange.getRequestHeaders().getFirst("authorization"));
            answer(exchange, exists ? 200 : 404, exists
                    ? "{\"experiment\":{\"experiment_id\":\"7\",\"name\":\"proxy runs\"}}"
                    : "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\"}");
        });
        mlflow.createContext("/api/2.0/mlflow/experiments/create", exchange -> {
            calls.add("create " + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            answer(exchange, 200, "{\"experiment_id\":\"42\"}");
        });
        mlflow.createContext("/v1/traces", exchange -> {
            exchange.getRequestBody().readAllBytes();
            calls.add("export " + exchange.getRequestHeaders().getFirst("x-mlflow-experiment-id"));
            answer(exchange, 200, "");
        });
        mlflow.start();
        try {
            TraceSettings settings = TraceSettings.fromEnvironment(Callbacks.of(List.of("mlflow"), List.of(),
                    List.of()), Map.of("MLFLOW_TRACKING_URI", "http://127.0.0.1:" + mlflow.getAddress().getPort(),
                    "MLFLOW_EXPERIMENT_NAME", "proxy runs", "MLFLOW_TRACKING_TOKEN", "tok"));
            tracer = start(settings.withBounds(64, 16, Duration.ofMillis(20), Duration.ofSeconds(2)), 1000 * MS);
            tracer.onCallEnded(retriedChat(null));
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.stream().anyMatch(c -> c.startsWith("export")));
            return List.copyOf(calls);
        } finally {
            mlflow.stop(0);
        }
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private CallTracer start(TraceSettings settings, long tickerNanos) throws IOException {
        Files.writeString(dir.resolve("config.yaml"), CONFIG, StandardCharsets.UTF_8);
        RouteTable routes = RouteTable.build(ConfigLoader.load(dir.resolve("config.yaml"), Map.of()));
        Clock clock = Clock.fixed(EPOCH.plusNanos(tickerNanos), ZoneOffset.UTC);
        return CallTracer.start(settings, routes, () -> tickerNanos, clock,
                (callback, records) -> lost.computeIfAbsent(callback, name -> new AtomicLong()).addAndGet(records));
    }

    private static TraceSettings settings(URI endpoint, Outcomes outcomes) {
        TraceSettings defaults = TraceSettings.fromEnvironment(Callbacks.of(List.of(), List.of(), List.of()),
                Map.of());
        return new TraceSettings(defaults.serviceName(), defaults.resource(),
                List.of(new TraceDestination(TraceBackend.OTEL, endpoint, Map.of(), outcomes)), 64, 16,
                Duration.ofMillis(20), Duration.ofSeconds(2), true, List.of());
    }

    /**
     * A streamed chat by the master key: received at 1000 ms; dep-a answers 503 (1002–1090 ms), dep-b 200
     * (1100–1400 ms) with 12 + 7 tokens.
     */
    private static CallRecord retriedChat(@Nullable String traceparent) {
        List<AttemptRecord> attempts = List.of(
                new AttemptRecord("dep-a", 503, null, 1002 * MS, 1080 * MS, 1090 * MS),
                new AttemptRecord("dep-b", 200, null, 1100 * MS, 1200 * MS, 1400 * MS));
        return new CallRecord("call-7", Endpoint.CHAT_COMPLETIONS, "gpt-a", "gpt-a", "dep-b", Principal.MASTER, 200,
                null, true, Usage.of(12, 7), 1000 * MS, 1250 * MS, 1400 * MS, 100 * MS, attempts, traceparent);
    }

    private List<Span> awaitSpans(int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.spans().size() >= count);
        return receiver.spans();
    }

    private static Span named(List<Span> spans, String name) {
        return spans.stream().filter(span -> span.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans));
    }

    private static long epochNanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
