package dev.llmproxy.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
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
        HttpResponse<String> response = post(mock.baseUrl() + "/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.body())
                .startsWith("{\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion\",\"created\":")
                .contains("\"model\":\"gpt-4o-mini\"")
                .contains("\"message\":{\"role\":\"assistant\",\"content\":\"" + "tok ".repeat(20) + "\"")
                .contains("\"finish_reason\":\"stop\"")
                .contains("\"prompt_tokens\":10,\"completion_tokens\":20,\"total_tokens\":30");
    }

    @Test
    void shouldStreamChunksEndingWithDoneWhenStreamIsTrue() throws Exception {
        HttpResponse<String> response = post(mock.baseUrl() + "/chat/completions",
                "{\"model\":\"gpt-4o\",\"stream\":true,\"mock_chunks\":3,\"messages\":[]}");

        List<String> events = List.of(response.body().split("\n\n"));
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
        assertThat(events).hasSize(5).last().isEqualTo("data: [DONE]");
        assertThat(events.subList(0, 4)).allSatisfy(e -> assertThat(e).startsWith("data: {")
                .contains("\"object\":\"chat.completion.chunk\"").doesNotContain("\"usage\""));
        assertThat(events.get(0)).contains("\"delta\":{\"role\":\"assistant\",\"content\":\"tok \"}");
        assertThat(events.get(1)).contains("\"delta\":{\"content\":\"tok \"}");
        assertThat(events.get(3)).contains("\"delta\":{}").contains("\"finish_reason\":\"stop\"");
        await().untilAsserted(() -> assertThat(mock.streamsCompleted()).isEqualTo(1));
        assertThat(mock.streamsStarted()).isEqualTo(1);
        assertThat(mock.streamsCancelled()).isZero();
    }

    @Test
    void shouldSendUsageChunkBeforeDoneWhenIncludeUsageIsTrue() throws Exception {
        HttpResponse<String> response = post(mock.baseUrl() + "/chat/completions",
                "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"mock_chunks\":2}");

        List<String> events = List.of(response.body().split("\n\n"));
        assertThat(events).hasSize(5);
        assertThat(events.subList(0, 3)).allSatisfy(e -> assertThat(e).contains("\"usage\":null"));
        assertThat(events.get(3))
                .contains("\"choices\":[]")
                .contains("\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,\"total_tokens\":12");
        assertThat(events.get(4)).isEqualTo("data: [DONE]");
    }

    @Test
    void shouldSplitContentAndReportUsageWhenControlFieldsAreGiven() throws Exception {
        String body = "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"mock_chunks\":3,\"mock_content\":\"abcdefghi\","
                + "\"mock_usage\":{\"prompt_tokens\":7,\"completion_tokens\":5}}";

        List<String> events = List.of(post(mock.baseUrl() + "/chat/completions", body).body().split("\n\n"));

        assertThat(events.get(0)).contains("\"delta\":{\"role\":\"assistant\",\"content\":\"abc\"}");
        assertThat(events.get(1)).contains("\"delta\":{\"content\":\"def\"}");
        assertThat(events.get(2)).contains("\"delta\":{\"content\":\"ghi\"}");
        assertThat(events.get(4)).contains("\"prompt_tokens\":7,\"completion_tokens\":5,\"total_tokens\":12");
    }

    @Test
    void shouldAnswerWithGivenContentWhenNotStreaming() throws Exception {
        String body = "{\"model\":\"m\",\"mock_content\":\"hello \\\"world\\\"\",\"mock_usage\":{\"prompt_tokens\":3}}";

        String answer = post(mock.baseUrl() + "/chat/completions", body).body();

        assertThat(answer).contains("\"content\":\"hello \\\"world\\\"\"").contains("\"prompt_tokens\":3,");
    }

    @Test
    void shouldAnswerTextCompletionWhenPathIsCompletions() throws Exception {
        HttpResponse<String> plain = post(mock.origin() + "/completions", "{\"model\":\"davinci\",\"prompt\":\"x\"}");
        HttpResponse<String> streamed = post(mock.baseUrl() + "/completions",
                "{\"model\":\"davinci\",\"prompt\":\"x\",\"stream\":true,\"mock_chunks\":2}");

        assertThat(plain.body()).contains("\"object\":\"text_completion\"").contains("\"text\":\"");
        assertThat(streamed.body().split("\n\n"))
                .hasSize(4)
                .satisfies(e -> assertThat(e[0]).contains("\"text\":\"tok \"").contains("\"finish_reason\":null"))
                .satisfies(e -> assertThat(e[2]).contains("\"finish_reason\":\"stop\""))
                .satisfies(e -> assertThat(e[3]).isEqualTo("data: [DONE]"));
    }

    @Test
    void shouldAnswerEmbeddingsForEachInputWhenInputIsAnArray() throws Exception {
        String single = post(mock.baseUrl() + "/embeddings", "{\"model\":\"e\",\"input\":\"a\"}").body();
        String many = post(mock.baseUrl() + "/embeddings",
                "{\"model\":\"e\",\"input\":[\"a\",\"b\",\"c\"],\"dimensions\":4}").body();
        String base64 = post(mock.baseUrl() + "/embeddings",
                "{\"model\":\"e\",\"input\":[1,2,3],\"encoding_format\":\"base64\",\"dimensions\":2}").body();

        assertThat(single).startsWith("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,")
                .contains("\"usage\":{\"prompt_tokens\":10,\"total_tokens\":10}");
        assertThat(many).contains("\"index\":2").doesNotContain("\"index\":3")
                .contains("\"embedding\":[-0.1,-0.083,-0.066,-0.049]");
        assertThat(base64).contains("\"embedding\":\"").doesNotContain("\"index\":1");
    }

    @Test
    void shouldListModelsWhenGetModels() throws Exception {
        HttpResponse<String> list = get(mock.baseUrl() + "/models");
        HttpResponse<String> one = get(mock.origin() + "/models/gpt-4o");

        assertThat(list.body())
                .startsWith("{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\"");
        assertThat(one.body()).startsWith("{\"id\":\"gpt-4o\",\"object\":\"model\",\"created\":");
    }

    @Test
    void shouldUseDeploymentAsModelWhenPathIsAzureStyle() throws Exception {
        HttpResponse<String> response = post(
                mock.origin() + "/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"model\":\"my-gpt\"");
        assertThat(mock.requests()).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo("/openai/deployments/my-gpt/chat/completions");
            assertThat(r.uri()).endsWith("?api-version=2024-10-21");
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            assertThat(r.body()).contains("\"content\":\"hi\"");
        });
    }

    @Test
    void shouldAnswer404WithOpenAiErrorWhenPathIsUnknown() throws Exception {
        HttpResponse<String> response = post(mock.baseUrl() + "/nope", "{}");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"error\":{\"message\":\"Invalid URL (POST /v1/nope)\","
                + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
    }

    @Test
    void shouldAnswer400WhenBodyIsNotJson() throws Exception {
        HttpResponse<String> response = post(mock.baseUrl() + "/chat/completions", "{not json");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"type\":\"invalid_request_error\"");
    }

    @Test
    void shouldReuseConnectionWhenClientKeepsItAlive() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(post(mock.baseUrl() + "/chat/completions", "{\"model\":\"m\"}").statusCode()).isEqualTo(200);
        }

        assertThat(mock.connectionsAccepted()).isEqualTo(1);
        assertThat(mock.requestsReceived()).isEqualTo(3);
        assertThat(mock.openConnections()).isEqualTo(1);
    }

    @Test
    void shouldCloseConnectionWhenClientSendsConnectionClose() throws Exception {
        try (RawClient raw = new RawClient(mock.port())) {
            raw.send(RawClient.post("/v1/chat/completions", "{\"model\":\"m\"}", "Connection: close\r\n"));

            String response = raw.readToEnd();

            assertThat(response).startsWith("HTTP/1.1 200 OK").contains("connection: close")
                    .endsWith("\"service_tier\":\"default\"}");
        }
        await().untilAsserted(() -> assertThat(mock.openConnections()).isZero());
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrderWhenFirstIsDelayed() throws Exception {
        try (RawClient raw = new RawClient(mock.port())) {
            raw.send(RawClient.post("/v1/chat/completions", "{\"model\":\"first\",\"mock_delay_ms\":50}", "")
                    + RawClient.post("/v1/chat/completions", "{\"model\":\"second\"}", "Connection: close\r\n"));

            String both = raw.readToEnd();

            assertThat(both.indexOf("\"model\":\"first\""))
                    .isPositive()
                    .isLessThan(both.indexOf("\"model\":\"second\""));
        }
    }

    @Test
    void shouldForgetCountersAndRecordsWhenReset() throws Exception {
        post(mock.baseUrl() + "/chat/completions", "{\"model\":\"m\",\"stream\":true,\"mock_chunks\":1}");
        await().untilAsserted(() -> assertThat(mock.streamsCompleted()).isEqualTo(1));

        mock.reset();

        assertThat(mock.requests()).isEmpty();
        assertThat(mock.requestsReceived()).isZero();
        assertThat(mock.streamsStarted()).isZero();
        assertThat(mock.streamsCompleted()).isZero();
        assertThat(mock.connectionsAccepted()).isZero();
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
