package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.codec.testing.LeakCheckExtension;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.server.FaultyProvider.Fault;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Every way a provider or a client can break an exchange, one row each, on real sockets: what the client gets, what
 * the request's record says, what is logged (at INFO and above: the level, once, naming the call id), whether the
 * upstream connection goes back to the pool or is closed, and that no buffer leaks (paranoid leak detection, checked
 * after each row).
 *
 * <p>Providers are the bench's mock (steered by {@code mock_*} body fields) or, for what it cannot act out,
 * {@link FaultyProvider}. Whether a connection was reused is told by a healthy request sent after the fault to the same
 * provider: it must succeed, on the same connection (reused) or on a new one (discarded). Timeouts are short (1 s for
 * the provider, 4 s for a client that does not read) so the class runs in seconds.
 */
class ProxyServerFaultMatrixTest {
    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static final Duration CLIENT_WRITE_TIMEOUT = Duration.ofSeconds(4);

    @TempDir
    Path dir;

    /** What happens to the upstream connection the fault happened on. */
    enum Fate {
        /** No upstream connection was made (or none that a later request could use). */
        NONE,
        /** Back in the pool: the next request to that provider uses it. */
        REUSED,
        /** Closed: the next request to that provider opens another. */
        DISCARDED
    }

    /**
     * One row of the matrix.
     *
     * @param name what breaks
     * @param provider the {@link FaultyProvider} fault, or null when the mock acts it out
     * @param action sends the request, acts out the client's part and checks what the client got
     * @param recorded the record's status, or 0 when the request never completed (no record)
     * @param error the record's error
     * @param logged the levels of the lines at INFO or above, in order; each names the call
     * @param fate what becomes of the upstream connection
     */
    record Row(String name, @Nullable Fault provider, Action action, int recorded, @Nullable ProxyError error,
            List<Level> logged, Fate fate) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The client's side of a row. */
    @FunctionalInterface
    interface Action {
        void run(Env env) throws Exception;
    }

    /** What a row's action can use. */
    record Env(ProxyFixture proxy, MockProvider mock, @Nullable FaultyProvider faulty) {
        FaultyProvider faultyProvider() {
            if (faulty == null) {
                throw new IllegalStateException("this row has no faulty provider");
            }
            return faulty;
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                // Providers.
                new Row("provider refuses the connection", null, env -> {
                    RawClient.Response response = exchange(env, "dead", "");
                    assertThat(response.status()).isEqualTo(502);
                    assertThat(response.body()).contains("\"type\":\"api_connection_error\"");
                }, 502, ProxyError.UPSTREAM_CONNECT_FAILED, List.of(Level.INFO), Fate.NONE),
                new Row("provider hangs before the headers", null, env -> {
                    RawClient.Response response = exchange(env, "mock", ",\"mock_hang\":true");
                    assertThat(response.status()).isEqualTo(408);
                    assertThat(response.body()).contains("\"type\":\"timeout\"");
                }, 408, ProxyError.UPSTREAM_TIMEOUT, List.of(Level.INFO), Fate.DISCARDED),
                new Row("provider hangs mid-body", null, env -> {
                    RawClient.Response response = exchange(env, "mock", ",\"stream\":true,\"mock_chunks\":5,"
                            + "\"mock_chunk_interval_ms\":0,\"mock_hold_after_chunks\":1,\"mock_hold_ms\":5000");
                    assertThat(response.status()).isEqualTo(200);
                    assertThat(response.body()).contains("\"content\":\"tok ").doesNotContain("[DONE]");
                    assertThat(lastEvent(response.body())).startsWith("data: {\"error\":").contains("timeout");
                }, 200, ProxyError.UPSTREAM_TIMEOUT, List.of(Level.INFO), Fate.DISCARDED),
                new Row("provider resets the connection", Fault.RESET, env -> {
                    RawClient.Response response = exchange(env, "faulty", "");
                    assertThat(response.status()).isEqualTo(503);
                    assertThat(response.body()).contains("\"type\":\"api_connection_error\"");
                }, 503, ProxyError.UPSTREAM_CLOSED, List.of(), Fate.DISCARDED),
                // The answer is held for its cost (the model is priced): the client gets a clean error instead of a cut.
                new Row("provider sends a bad chunk", Fault.BAD_CHUNK, env -> {
                    RawClient.Response response = exchange(env, "faulty", "");
                    assertThat(response.status()).isEqualTo(502);
                    assertThat(response.body()).contains("\"type\":\"api_connection_error\"");
                }, 502, ProxyError.UPSTREAM_PROTOCOL_ERROR, List.of(Level.WARN), Fate.DISCARDED),
                new Row("provider sends huge headers", Fault.HUGE_HEADERS, env -> {
                    RawClient.Response response = exchange(env, "faulty", "");
                    assertThat(response.status()).isEqualTo(502);
                    assertThat(response.body()).contains("\"type\":\"api_connection_error\"");
                }, 502, ProxyError.UPSTREAM_PROTOCOL_ERROR, List.of(Level.WARN), Fate.DISCARDED),
                new Row("provider sends invalid JSON with 200", Fault.INVALID_JSON, env -> {
                    RawClient.Response response = exchange(env, "faulty", "");
                    assertThat(response.status()).isEqualTo(200);
                    assertThat(response.body()).isEqualTo("{\"id\": not json at all");
                }, 200, null, List.of(), Fate.REUSED),
                new Row("provider sends an HTML 502", Fault.HTML_502, env -> {
                    RawClient.Response response = exchange(env, "faulty", "");
                    assertThat(response.status()).isEqualTo(502);
                    assertThat(response.body()).contains("502 Bad Gateway");
                }, 502, null, List.of(), Fate.REUSED),
                // 15 s of stream, endless for this test (the mock prepares every chunk before its headers, so a
                // truly endless one would not start within the 1 s timeout on a loaded machine).
                new Row("provider streams endlessly", null, env -> {
                    try (RawClient client = new RawClient(env.proxy().port())) {
                        client.send(RawClient.post("/v1/chat/completions", body("mock", ",\"stream\":true,"
                                + "\"mock_chunks\":3000,\"mock_chunk_interval_ms\":5"), ""));
                        assertThat(client.readHead().status()).isEqualTo(200);
                        for (int i = 0; i < 20; i++) {
                            assertThat(client.readChunk()).isNotNull();
                        }
                    }
                    await().atMost(Duration.ofSeconds(5)).until(() -> env.mock().streamsCancelled() == 1);
                }, 499, ProxyError.CLIENT_CLOSED, List.of(), Fate.DISCARDED),
                // The model is priced, so its answer is held for its cost: nothing has reached the client yet.
                new Row("provider body shorter than its content-length", null, env -> {
                    RawClient.Response response = exchange(env, "mock", ",\"mock_cut_after_chunks\":1");
                    assertThat(response.status()).isEqualTo(503);
                    assertThat(response.body()).contains("\"type\":\"api_connection_error\"");
                }, 503, ProxyError.UPSTREAM_CLOSED, List.of(Level.INFO), Fate.DISCARDED),
                // Clients.
                new Row("client aborts in the headers", null, env -> {
                    try (RawClient client = new RawClient(env.proxy().port())) {
                        client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty");
                        client.abort();
                    }
                }, 499, ProxyError.CLIENT_CLOSED, List.of(), Fate.NONE),
                new Row("client aborts in the body", null, env -> {
                    try (RawClient client = new RawClient(env.proxy().port())) {
                        client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"model\":\"mock\"");
                        client.abort();
                    }
                    assertThat(env.mock().requestsReceived()).isZero();
                }, 0, null, List.of(), Fate.NONE),
                new Row("client aborts while waiting", null, env -> {
                    try (RawClient client = new RawClient(env.proxy().port())) {
                        client.send(RawClient.post("/v1/chat/completions", body("mock", ",\"mock_delay_ms\":5000"),
                                ""));
                        await().atMost(Duration.ofSeconds(5)).until(() -> env.mock().requestsReceived() == 1);
                        client.abort();
                    }
                }, 499, ProxyError.CLIENT_CLOSED, List.of(), Fate.DISCARDED),
                new Row("client aborts mid-stream", null, env -> {
                    try (RawClient client = new RawClient(env.proxy().port())) {
                        client.send(RawClient.post("/v1/chat/completions", body("mock", ",\"stream\":true,"
                                + "\"mock_chunks\":50,\"mock_chunk_interval_ms\":20"), ""));
                        assertThat(client.readHead().status()).isEqualTo(200);
                        assertThat(client.readChunk()).isNotNull();
                        client.abort();
                    }
                    await().atMost(Duration.ofSeconds(5)).until(() -> env.mock().streamsCancelled() == 1);
                }, 499, ProxyError.CLIENT_CLOSED, List.of(), Fate.DISCARDED),
                new Row("client reads slowly", Fault.STREAM_UNTIL_HELD, env -> {
                    try (RawClient client = new RawClient(env.proxy().port(), 4096)) {
                        client.send(RawClient.post("/v1/chat/completions", body("faulty", ",\"stream\":true"), ""));
                        // Longer than the provider's stream_timeout of 1 s, shorter than the client's own timeout.
                        await().atMost(Duration.ofSeconds(10)).until(env.faultyProvider()::wasHeld);
                        RawClient.Response response = client.readResponse();
                        assertThat(response.status()).isEqualTo(200);
                        assertThat(lastEvent(response.body())).isEqualTo("data: [DONE]");
                        assertThat(response.body()).doesNotContain("{\"error\":");
                    }
                }, 200, null, List.of(), Fate.REUSED),
                new Row("client never reads", Fault.STREAM_UNTIL_HELD, env -> {
                    try (RawClient client = new RawClient(env.proxy().port(), 4096)) {
                        client.send(RawClient.post("/v1/chat/completions", body("faulty", ",\"stream\":true"), ""));
                        await().atMost(Duration.ofSeconds(10)).until(() -> !env.proxy().calls().isEmpty());
                    }
                    await().atMost(Duration.ofSeconds(5)).until(env.faultyProvider()::faultyConnectionClosed);
                }, 200, ProxyError.CLIENT_TOO_SLOW, List.of(Level.INFO), Fate.DISCARDED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void shouldEndEachFaultCleanly(Row row) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger("dev.llmproxy");
        try (MockProvider mock = MockProvider.start(MockProviderConfig.defaults());
                FaultyProvider faulty = row.provider() != null ? new FaultyProvider(row.provider()) : null;
                ProxyFixture proxy = ProxyFixture.builder(dir, config(mock, faulty, closedPort))
                        .components(components -> components.clientWriteTimeout(CLIENT_WRITE_TIMEOUT))
                        .start()) {
            logs.start();
            logger.addAppender(logs);
            try {
                row.action().run(new Env(proxy, mock, faulty));
                String callId = checkRecord(row, proxy);
                checkLog(row, logs.list, callId);
                checkUpstream(row, proxy, mock, faulty);
            } finally {
                logger.detachAppender(logs);
            }
        }
        LeakCheckExtension.assertNoLeaks(row.name());
    }

    private static @Nullable String checkRecord(Row row, ProxyFixture proxy) {
        if (row.recorded() == 0) {
            // A request that never arrived whole has no record; a healthy one sent now is the first.
            assertThat(proxy.chat("mock").statusCode()).isEqualTo(200);
            CallRecord only = proxy.awaitCalls(1);
            assertThat(proxy.calls()).hasSize(1);
            assertThat(only.status()).isEqualTo(200);
            proxy.calls().clear();
            return null;
        }
        CallRecord record = proxy.awaitCalls(1);
        assertThat(record.status()).as("recorded status").isEqualTo(row.recorded());
        assertThat(record.error()).as("recorded error").isEqualTo(row.error());
        return record.callId();
    }

    private static void checkLog(Row row, List<ILoggingEvent> events, @Nullable String callId) {
        List<ILoggingEvent> lines = events.stream()
                .filter(event -> event.getLevel().isGreaterOrEqual(Level.INFO))
                .collect(Collectors.toList());
        String seen = lines.stream().map(event -> event.getLevel() + " " + event.getFormattedMessage())
                .collect(Collectors.joining("\n"));
        assertThat(lines).as("lines at INFO or above:\n%s", seen).extracting(ILoggingEvent::getLevel)
                .containsExactlyElementsOf(row.logged());
        for (ILoggingEvent line : lines) {
            assertThat(line.getFormattedMessage()).contains("[" + callId + "]");
            assertThat(line.getThrowableProxy()).as("stack trace").isNull();
        }
    }

    private static void checkUpstream(Row row, ProxyFixture proxy, MockProvider mock, @Nullable FaultyProvider faulty) {
        if (row.fate() == Fate.NONE) {
            return;
        }
        long before = faulty != null ? faulty.connections() : mock.connectionsAccepted();
        String model = faulty != null ? "faulty" : "mock";
        int calls = proxy.calls().size();
        RawClient.Response next = exchangeQuietly(proxy, model);
        assertThat(next.status()).as("the next request to the same provider").isEqualTo(200);
        proxy.awaitCalls(calls + 1);
        long after = faulty != null ? faulty.connections() : mock.connectionsAccepted();
        assertThat(after - before).as("new upstream connections for the next request")
                .isEqualTo(row.fate() == Fate.REUSED ? 0 : 1);
    }

    private static String config(MockProvider mock, @Nullable FaultyProvider faulty, int closedPort) {
        return """
                model_list:
                  - model_name: mock
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %s
                      api_key: sk-upstream-1
                      timeout: 1
                      stream_timeout: 1
                  - model_name: faulty
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %s
                      api_key: sk-upstream-1
                      timeout: 1
                      stream_timeout: 1
                  - model_name: dead
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: http://127.0.0.1:%d/v1
                      api_key: sk-upstream-1
                router_settings:
                  num_retries: 0   # each row is one attempt's fault; retries are ProxyServerRetryTest's
                """.formatted(mock.baseUrl(), faulty != null ? faulty.baseUrl() : mock.baseUrl(), closedPort);
    }

    private static String body(String model, String extra) {
        return "{\"model\":\"" + model + "\"," + MESSAGES + extra + "}";
    }

    private static RawClient.Response exchange(Env env, String model, String extra) throws IOException {
        try (RawClient client = new RawClient(env.proxy().port())) {
            client.send(RawClient.post("/v1/chat/completions", body(model, extra), ""));
            return client.readResponse();
        }
    }

    private static RawClient.Response exchangeQuietly(ProxyFixture proxy, String model) {
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/chat/completions", body(model, ""), ""));
            return client.readResponse();
        } catch (IOException e) {
            throw new AssertionError("the next request failed", e);
        }
    }

    private static String lastEvent(String body) {
        String[] events = body.strip().split("\n\n");
        return events[events.length - 1];
    }
}
