package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.proxy.call.CallRecord;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server-sent event streams: relayed as they arrive, usage handling, and cancellation by the client. */
class ProxyServerStreamTest {
    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: gpt-a
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %s
                      api_key: sk-upstream-1
                """.formatted(mock.baseUrl()));
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldDeliverEventsBeforeTheStreamEndsWhenProviderPausesMidStream() throws Exception {
        String body = "{\"model\":\"gpt-a\"," + MESSAGES + ",\"stream\":true,\"mock_chunks\":5,"
                + "\"mock_chunk_interval_ms\":0,\"mock_first_chunk_delay_ms\":0,"
                + "\"mock_hold_after_chunks\":2,\"mock_hold_ms\":1500}";
        List<TimedEvent> events;
        long sentNanos;
        try (RawClient client = new RawClient(proxy.port())) {
            sentNanos = System.nanoTime();
            client.send(RawClient.post("/v1/chat/completions", body, ""));
            RawClient.Head head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers().get("content-type")).startsWith("text/event-stream");
            assertThat(head.headers()).containsKey("x-litellm-call-id");
            events = events(client.readTimedChunks());
        }

        List<TimedEvent> content = events.stream().filter(e -> e.data().contains("\"content\":\"tok")).toList();
        assertThat(content).hasSize(5);
        long secondMillis = TimeUnit.NANOSECONDS.toMillis(content.get(1).arrivedNanos() - sentNanos);
        long pauseMillis = TimeUnit.NANOSECONDS.toMillis(content.get(2).arrivedNanos() - content.get(1).arrivedNanos());
        assertThat(secondMillis).as("second content event arrival, ms after the request").isLessThan(1000);
        assertThat(pauseMillis).as("pause between the second and third content events, ms").isGreaterThan(1000);
        assertThat(events.get(events.size() - 1).data()).isEqualTo("data: [DONE]");
        assertThat(events).noneMatch(e -> e.data().contains("\"choices\":[]"));
    }

    @Test
    void shouldHideInjectedUsageChunkButRecordUsageWhenClientDidNotAskForUsage() {
        String body = "{\"model\":\"gpt-a\"," + MESSAGES + ",\"stream\":true,\"mock_chunks\":3,"
                + "\"mock_chunk_interval_ms\":0}";

        HttpResponse<String> response = proxy.post("/v1/chat/completions", body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .doesNotContain("\"choices\":[]")
                .doesNotContain("\"usage\":{")
                .endsWith("data: [DONE]\n\n");
        assertThat(response.body().split("\"content\":\"tok", -1)).hasSize(4);
        assertThat(mock.requests().get(0).body()).contains("\"include_usage\":true");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.stream()).isTrue();
        assertThat(call.status()).isEqualTo(200);
        assertThat(call.usage()).isNotNull();
        assertThat(call.usage().promptTokens()).isEqualTo(10);
        assertThat(call.usage().completionTokens()).isEqualTo(3);
        assertThat(call.firstByteNanos()).isPositive();
    }

    @Test
    void shouldRelayUsageChunkWhenClientAskedForUsage() {
        String body = "{\"model\":\"gpt-a\"," + MESSAGES + ",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"mock_chunks\":2,\"mock_chunk_interval_ms\":0}";

        HttpResponse<String> response = proxy.post("/v1/chat/completions", body);

        assertThat(response.statusCode()).isEqualTo(200);
        String usageEvent = Arrays.stream(response.body().split("\n\n"))
                .filter(event -> event.contains("\"usage\":{") && event.contains("\"choices\":[]"))
                .findFirst()
                .orElseThrow();
        assertThat(usageEvent).contains("\"prompt_tokens\":10").contains("\"completion_tokens\":2");
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
        assertThat(mock.requests().get(0).body()).isEqualTo(body.replace("gpt-a", "gpt-4o-mini"));
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.usage()).isNotNull();
        assertThat(call.usage().completionTokens()).isEqualTo(2);
    }

    @Test
    void shouldCancelUpstreamStreamAndReportCallWhenClientDisconnectsMidStream() throws Exception {
        String body = "{\"model\":\"gpt-a\"," + MESSAGES + ",\"stream\":true,\"mock_chunks\":200,"
                + "\"mock_chunk_interval_ms\":20}";
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/chat/completions", body, ""));
            assertThat(client.readHead().status()).isEqualTo(200);
            assertThat(client.readChunk()).isNotNull();
            client.abort();
        }

        await().atMost(Duration.ofSeconds(3)).until(() -> mock.streamsCancelled() == 1);
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.status()).isEqualTo(499);
        assertThat(call.stream()).isTrue();
        assertThat(mock.streamsCompleted()).isZero();
        assertThat(proxy.server().activeCalls()).isZero();
    }

    /** Splits chunks into SSE events (the proxy only ever sends whole events), keeping each chunk's arrival time. */
    static List<TimedEvent> events(List<RawClient.TimedChunk> chunks) {
        List<TimedEvent> events = new ArrayList<>();
        for (RawClient.TimedChunk chunk : chunks) {
            for (String event : chunk.text().split("\n\n")) {
                if (!event.isBlank()) {
                    events.add(new TimedEvent(chunk.arrivedNanos(), event.strip()));
                }
            }
        }
        return events;
    }

    /** One SSE event's text and when the chunk carrying it arrived. */
    record TimedEvent(long arrivedNanos, String data) {}
}
