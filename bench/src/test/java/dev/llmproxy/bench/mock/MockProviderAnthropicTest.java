package dev.llmproxy.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock's Anthropic Messages endpoint: bodies, event order, errors, header checks. */
class MockProviderAnthropicTest {
    private MockProvider mock;
    private HttpClient client;

    @BeforeEach
    void start() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    @Test
    void shouldAnswerMessageWhenNotStreaming() throws Exception {
        HttpResponse<String> response = post("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"mock_chunks\":2,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", true);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"id\":\"msg_mock01\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"tok tok \"}],"
                + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,"
                + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":2}}");
        assertThat(mock.requests().get(0).header("anthropic-beta")).isEqualTo("tools-2024-04-04");
    }

    @Test
    void shouldStreamEventsInDocumentedOrderWhenStreamIsTrue() throws Exception {
        HttpResponse<String> response = post("{\"model\":\"claude-haiku\",\"stream\":true,\"mock_chunks\":2,"
                + "\"mock_usage\":{\"prompt_tokens\":7,\"completion_tokens\":9}}", true);

        List<String> types = events(response.body());
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
        assertThat(types).containsExactly("message_start", "content_block_start", "ping", "content_block_delta",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop");
        assertThat(response.body()).contains("data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                + "{\"type\":\"text_delta\",\"text\":\"tok \"}}\n\n")
                .contains("\"usage\":{\"input_tokens\":7,\"output_tokens\":1}")
                .contains("\"usage\":{\"output_tokens\":9}");
    }

    @Test
    void shouldAnswerToolUseWhenAskedToCallATool() throws Exception {
        String control = ",\"mock_tool_call\":{\"name\":\"f\",\"arguments\":{\"a\": [1, 2]}}";
        HttpResponse<String> whole = post("{\"model\":\"c\"" + control + "}", true);
        HttpResponse<String> streamed =
                post("{\"model\":\"c\",\"stream\":true,\"mock_chunks\":2" + control + "}", true);

        assertThat(whole.body()).contains("\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_mock01\",\"name\":\"f\","
                + "\"input\":{\"a\":[1,2]}}],\"stop_reason\":\"tool_use\"");
        assertThat(streamed.body()).contains("\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_mock01\","
                + "\"name\":\"f\",\"input\":{}}")
                .contains("{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\":\"}")
                .contains("{\"type\":\"input_json_delta\",\"partial_json\":\"[1,2]}\"}")
                .contains("\"stop_reason\":\"tool_use\"");
    }

    @Test
    void shouldEndStreamWithErrorEventWhenAskedToFailMidStream() throws Exception {
        HttpResponse<String> response = post("{\"stream\":true,\"mock_chunks\":3,\"mock_error_after_chunks\":1}",
                true);

        assertThat(events(response.body())).containsExactly("message_start", "content_block_start", "ping",
                "content_block_delta", "error");
        assertThat(response.body()).endsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
                + "\"overloaded_error\",\"message\":\"Overloaded\"},\"request_id\":\"req_mock01\"}\n\n");
    }

    @Test
    void shouldAnswerOverloadedErrorWhenStatusIs529() throws Exception {
        HttpResponse<String> response = post("{\"stream\":true,\"mock_status\":529}", true);

        assertThat(response.statusCode()).isEqualTo(529);
        assertThat(response.body()).isEqualTo("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                + "\"message\":\"Overloaded\"},\"request_id\":\"req_mock01\"}");
    }

    @Test
    void shouldRefuseRequestWhenKeyOrVersionHeaderIsMissing() throws Exception {
        HttpResponse<String> noKey = send(HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/messages"))
                .header("anthropic-version", "2023-06-01"));
        HttpResponse<String> noVersion = send(HttpRequest.newBuilder(URI.create(mock.origin() + "/messages"))
                .header("x-api-key", "sk-ant-test"));

        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(noKey.body()).contains("\"type\":\"authentication_error\"");
        assertThat(noVersion.statusCode()).isEqualTo(400);
        assertThat(noVersion.body()).contains("\"type\":\"invalid_request_error\"")
                .contains("anthropic-version: header is required");
    }

    private HttpResponse<String> post(String body, boolean headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/messages"))
                .timeout(Duration.ofSeconds(5))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers) {
            request.header("x-api-key", "sk-ant-test").header("anthropic-version", "2023-06-01")
                    .header("anthropic-beta", "tools-2024-04-04");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The {@code event:} names of an SSE body, in order. */
    private static List<String> events(String body) {
        return body.lines().filter(line -> line.startsWith("event: ")).map(line -> line.substring(7)).toList();
    }
}
