package dev.llmproxy.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A stamping mock sends each paced piece of a default streamed answer as its send time, in every wire format. */
class MockProviderStampTest {
    private static final Pattern STAMP = Pattern.compile("~([0-9a-f]{16}) ");
    private static final long INTERVAL_NANOS = Duration.ofMillis(20).toNanos();

    private MockProvider mock;
    private HttpClient client;

    @BeforeEach
    void start() {
        mock = MockProvider.start(MockProviderConfig.builder().streamChunks(3).stampChunks(true).build());
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    @Test
    void shouldStampEachPieceWithItsSendTimeInEveryFormat() throws Exception {
        assertStamped(post("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"stream\":true}"));
        assertStamped(post("/v1/messages", "{\"model\":\"claude-haiku\",\"stream\":true,\"max_tokens\":5}",
                "x-api-key", "k", "anthropic-version", "2023-06-01"));
        assertStamped(post("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=k",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}"));
        assertStamped(post("/v1/responses", "{\"model\":\"gpt-4.1\",\"stream\":true,\"input\":\"hi\"}"));
    }

    @Test
    void shouldKeepTheTextAnswerWhenTheRequestSetsItsContent() throws Exception {
        Timed answer = post("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
                + "\"mock_content\":\"abc\"}");

        assertThat(STAMP.matcher(answer.body).find()).isFalse();
    }

    /** Three distinct stamps, within the request's time, at least nearly an interval apart. */
    private static void assertStamped(Timed answer) {
        Matcher m = STAMP.matcher(answer.body);
        LinkedHashSet<Long> distinct = new LinkedHashSet<>();
        while (m.find()) {
            distinct.add(Long.parseUnsignedLong(m.group(1), 16));
        }
        List<Long> stamps = new ArrayList<>(distinct);
        assertThat(stamps).as(answer.body).hasSize(3);
        for (int i = 0; i < stamps.size(); i++) {
            assertThat(stamps.get(i)).isBetween(answer.sent, answer.received);
            if (i > 0) {
                assertThat(stamps.get(i) - stamps.get(i - 1)).isGreaterThan(INTERVAL_NANOS * 3 / 4);
            }
        }
    }

    private Timed post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(mock.origin() + path))
                .timeout(Duration.ofSeconds(5))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        long sent = System.nanoTime();
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        long received = System.nanoTime();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new Timed(response.body(), sent, received);
    }

    private record Timed(String body, long sent, long received) {}
}
