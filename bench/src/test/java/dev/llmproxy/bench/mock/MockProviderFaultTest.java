package dev.llmproxy.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MockProviderFaultTest {
    private MockProvider mock;
    private HttpClient client;

    @BeforeEach
    void start() {
        mock = MockProvider.start(MockProviderConfig.defaults());
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    /**
     * The mock's pacing is a lower bound the client sees exactly from the request on (nothing can arrive before it is
     * sent), but between two lines the client's reader thread can be late to one and take it with the next on a busy
     * machine: the spread between the first and the last chunk is asked to be half the nominal 240 ms.
     */
    @Test
    void shouldSpreadChunksOverTimeWhenIntervalIsSet() throws Exception {
        long sent = System.nanoTime();
        List<Long> arrivals = streamArrivalNanos(
                "{\"model\":\"m\",\"stream\":true,\"mock_chunks\":5,\"mock_chunk_interval_ms\":60,"
                        + "\"mock_first_chunk_delay_ms\":0}");

        assertThat(arrivals).hasSize(7);
        assertThat(Duration.ofNanos(arrivals.get(4) - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(240));
        assertThat(Duration.ofNanos(arrivals.get(4) - arrivals.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(120));
    }

    /** As above: the hold is exact from the request on, and at least half of it shows between the two chunks. */
    @Test
    void shouldPauseAfterGivenChunkWhenHoldIsSet() throws Exception {
        long sent = System.nanoTime();
        List<Long> arrivals = streamArrivalNanos(
                "{\"model\":\"m\",\"stream\":true,\"mock_chunks\":3,\"mock_chunk_interval_ms\":0,"
                        + "\"mock_first_chunk_delay_ms\":0,\"mock_hold_after_chunks\":1,\"mock_hold_ms\":250}");

        assertThat(arrivals).hasSize(5);
        assertThat(Duration.ofNanos(arrivals.get(1) - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        assertThat(Duration.ofNanos(arrivals.get(1) - arrivals.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(125));
        await().untilAsserted(() -> assertThat(mock.streamsCompleted()).isEqualTo(1));
    }

    @Test
    void shouldDelayHeadersWhenDelayIsSet() throws Exception {
        long started = System.nanoTime();

        HttpResponse<String> response = post("{\"model\":\"m\",\"mock_delay_ms\":200}", Duration.ofSeconds(5));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void shouldCloseWithoutDoneWhenCutAfterChunks() throws Exception {
        try (RawClient raw = new RawClient(mock.port())) {
            raw.send(RawClient.post("/v1/chat/completions",
                    "{\"model\":\"m\",\"stream\":true,\"mock_chunks\":5,\"mock_chunk_interval_ms\":1,"
                            + "\"mock_cut_after_chunks\":2}", ""));

            String received = raw.readToEnd();

            assertThat(received).startsWith("HTTP/1.1 200 OK").doesNotContain("[DONE]").doesNotEndWith("0\r\n\r\n");
            assertThat(received.split("data: \\{", -1)).hasSize(3);
        }
        assertThat(mock.streamsStarted()).isEqualTo(1);
        assertThat(mock.streamsCompleted()).isZero();
        assertThat(mock.streamsCancelled()).isZero();
    }

    @Test
    void shouldSendHalfTheBodyThenCloseWhenCutOnNonStreamedAnswer() throws Exception {
        try (RawClient raw = new RawClient(mock.port())) {
            raw.send(RawClient.post("/v1/chat/completions", "{\"model\":\"m\",\"mock_cut_after_chunks\":0}", ""));

            String received = raw.readToEnd();

            assertThat(received).startsWith("HTTP/1.1 200 OK").contains("content-length: ")
                    .doesNotContain("\"service_tier\"");
        }
    }

    /** The client waits a second: long enough for its request to reach the mock on a busy machine. */
    @Test
    void shouldNeverAnswerWhenHang() {
        HttpRequest request = chatRequest("{\"model\":\"m\",\"mock_hang\":true}", Duration.ofSeconds(1));

        assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(mock.requestsReceived()).isEqualTo(1);
    }

    @Test
    void shouldAnswerOpenAiErrorWhenStatusIsSet() throws Exception {
        HttpResponse<String> limited = post(
                "{\"model\":\"m\",\"stream\":true,\"mock_status\":429,\"mock_error_message\":\"slow down\"}",
                Duration.ofSeconds(5));
        HttpResponse<String> broken = post("{\"model\":\"m\",\"mock_status\":503}", Duration.ofSeconds(5));

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).isEqualTo("{\"error\":{\"message\":\"slow down\",\"type\":\"requests\","
                + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}");
        assertThat(broken.statusCode()).isEqualTo(503);
        assertThat(broken.body()).contains("\"type\":\"server_error\"");
        assertThat(mock.streamsStarted()).isZero();
    }

    @Test
    void shouldCountCancelledStreamWhenClientDisconnects() throws Exception {
        try (RawClient raw = new RawClient(mock.port())) {
            raw.send(RawClient.post("/v1/chat/completions",
                    "{\"model\":\"m\",\"stream\":true,\"mock_chunks\":100,\"mock_chunk_interval_ms\":50}", ""));
            raw.readUntil("\n\n");
            await().untilAsserted(() -> assertThat(mock.openConnections()).isEqualTo(1));
        }

        await().untilAsserted(() -> assertThat(mock.streamsCancelled()).isEqualTo(1));
        assertThat(mock.streamsCompleted()).isZero();
        assertThat(mock.openConnections()).isZero();
    }

    private List<Long> streamArrivalNanos(String body) throws Exception {
        HttpResponse<java.util.stream.Stream<String>> response =
                client.send(chatRequest(body, Duration.ofSeconds(10)), HttpResponse.BodyHandlers.ofLines());
        List<Long> arrivals = new ArrayList<>();
        response.body().filter(line -> line.startsWith("data: ")).forEach(line -> arrivals.add(System.nanoTime()));
        return arrivals;
    }

    private HttpResponse<String> post(String body, Duration timeout) throws Exception {
        return client.send(chatRequest(body, timeout), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest chatRequest(String body, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/chat/completions"))
                .timeout(timeout)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }
}
