package dev.llmproxy.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MockProviderChatTest {
    private MockProvider mock;
    private HttpClient client;

    @BeforeEach
    void start() {
        mock = MockProvider.start(MockProviderConfig.builder()
                .recordRequests(true)
                .streamChunkIntervalMillis(1)
                .streamFirstChunkDelayMillis(1)
                .build());
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    @Test
    void shouldAnswerChatCompletionWhenNotStreaming() throws Exception {
        HttpResponse<String> response = post("/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.body())
                .contains("\"object\":\"chat.completion\"")
                .contains("\"model\":\"gpt-4o-mini\"")
                .contains("\"finish_reason\":\"stop\"")
                .contains("\"prompt_tokens\":10,\"completion_tokens\":20,\"total_tokens\":30");
    }

    @Test
    void shouldStreamChunksEndingWithDoneWhenStreamIsTrue() throws Exception {
        HttpResponse<String> response = post("/chat/completions",
                "{\"model\":\"gpt-4o\",\"stream\":true,\"mock_chunks\":3,\"messages\":[]}");

        List<String> events = List.of(response.body().split("\n\n"));
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
        assertThat(events).hasSize(5).last().isEqualTo("data: [DONE]");
        assertThat(events.subList(0, 4)).allSatisfy(e -> assertThat(e).startsWith("data: {")
                .contains("\"object\":\"chat.completion.chunk\"").doesNotContain("\"usage\""));
        assertThat(events.get(0)).contains("\"delta\":{\"role\":\"assistant\",\"content\":\"tok \"}");
        assertThat(events.get(3)).contains("\"delta\":{}").contains("\"finish_reason\":\"stop\"");
        assertThat(mock.streamsStarted()).isEqualTo(1);
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(mock.baseUrl() + path))
                .timeout(Duration.ofSeconds(5))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
