package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.provider.Endpoint;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deployments answered from {@code mock_response}, without any provider. */
class ProxyServerMockResponseTest {
    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static final Pattern CONTENT = Pattern.compile("\"content\":\"([^\"]*)\"");

    @TempDir
    Path dir;

    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: mock-gpt
                    litellm_params:
                      model: openai/gpt-4o-mini
                      mock_response: "Hello from the mock"
                    model_info:
                      id: mock-dep
                """);
    }

    @AfterEach
    void tearDown() {
        proxy.close();
    }

    @Test
    void shouldAnswerChatCompletionWithMockUsageWhenNotStreamed() {
        HttpResponse<String> response = proxy.chat("mock-gpt");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("\"object\":\"chat.completion\"")
                .contains("\"content\":\"Hello from the mock\"")
                .contains("\"model\":\"gpt-4o-mini\"")
                .contains("\"prompt_tokens\":10")
                .contains("\"completion_tokens\":20")
                .contains("\"total_tokens\":30");
        assertThat(response.headers().firstValue("x-litellm-model-id")).hasValue("mock-dep");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.usage().promptTokens()).isEqualTo(10);
        assertThat(call.usage().completionTokens()).isEqualTo(20);
        assertThat(call.stream()).isFalse();
    }

    @Test
    void shouldStreamContentPiecesEndingWithDoneWhenStreamed() {
        HttpResponse<String> response =
                proxy.post("/v1/chat/completions", "{\"model\":\"mock-gpt\"," + MESSAGES + ",\"stream\":true}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        List<String> events = events(response.body());
        assertThat(events).allMatch(event -> event.startsWith("data: "));
        assertThat(events.get(events.size() - 1)).isEqualTo("data: [DONE]");
        assertThat(events.get(0)).contains("\"role\":\"assistant\"");
        assertThat(events).anyMatch(event -> event.contains("\"finish_reason\":\"stop\""));
        assertThat(events).noneMatch(event -> event.contains("\"usage\":{"));
        assertThat(joinedContent(response.body())).isEqualTo("Hello from the mock");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.stream()).isTrue();
        assertThat(call.usage().completionTokens()).isEqualTo(20);
    }

    @Test
    void shouldAppendUsageChunkWhenStreamedWithIncludeUsage() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", "{\"model\":\"mock-gpt\"," + MESSAGES
                + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

        List<String> events = events(response.body());
        String usage = events.get(events.size() - 2);
        assertThat(usage).contains("\"choices\":[]").contains("\"prompt_tokens\":10")
                .contains("\"completion_tokens\":20");
    }

    @Test
    void shouldAnswerTextCompletionWhenCompletionsIsStreamed() {
        HttpResponse<String> response =
                proxy.post("/v1/completions", "{\"model\":\"mock-gpt\",\"prompt\":\"hi\",\"stream\":true}");

        assertThat(response.statusCode()).isEqualTo(200);
        List<String> events = events(response.body());
        assertThat(events.get(0)).contains("\"object\":\"text_completion\"");
        assertThat(events.get(events.size() - 1)).isEqualTo("data: [DONE]");
        assertThat(proxy.awaitCalls(1).endpoint()).isEqualTo(Endpoint.COMPLETIONS);
    }

    @Test
    void shouldAnswerTextCompletionWhenCompletionsIsNotStreamed() {
        HttpResponse<String> response = proxy.post("/v1/completions", "{\"model\":\"mock-gpt\",\"prompt\":\"hi\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"text_completion\"").contains("Hello from the mock");
    }

    @Test
    void shouldAnswerEmbeddingListWhenEmbeddingsAreRequested() {
        HttpResponse<String> response = proxy.post("/v1/embeddings", "{\"model\":\"mock-gpt\",\"input\":\"hi\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"list\"").contains("\"embedding\"");
    }

    @Test
    void shouldAnswerBase64VectorsWhenEncodingFormatIsBase64() {
        HttpResponse<String> response = proxy.post("/v1/embeddings",
                "{\"input\":[\"hi\"], \"model\":\"mock-gpt\", \"encoding_format\" :  \"base64\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        String vector = response.body().replaceAll(".*\"embedding\":\"([A-Za-z0-9+/=]+)\".*", "$1");
        assertThat(java.util.Base64.getDecoder().decode(vector)).hasSize(8 * Float.BYTES);
    }

    @Test
    void shouldAnswerFloatVectorsWhenEncodingFormatIsFloat() {
        HttpResponse<String> response = proxy.post("/v1/embeddings",
                "{\"model\":\"mock-gpt\",\"input\":\"base64\",\"encoding_format\":\"float\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"embedding\":[");
    }

    @Test
    void shouldStreamTranscriptEventsWhenATranscriptionAsksForAStream() throws Exception {
        String boundary = "mockboundary";
        String form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nmock-gpt\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"stream\"\r\n\r\ntrue\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\nRIFF....WAVE\r\n--" + boundary + "--\r\n";
        HttpRequest request = HttpRequest.newBuilder(proxy.uri("/v1/audio/transcriptions"))
                .header("content-type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();

        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
        assertThat(events(response.body())).containsExactly(
                "data: {\"type\":\"transcript.text.delta\",\"delta\":\"Hello\",\"logprobs\":[]}",
                "data: {\"type\":\"transcript.text.delta\",\"delta\":\" from\",\"logprobs\":[]}",
                "data: {\"type\":\"transcript.text.delta\",\"delta\":\" the\",\"logprobs\":[]}",
                "data: {\"type\":\"transcript.text.delta\",\"delta\":\" mock\",\"logprobs\":[]}",
                "data: {\"type\":\"transcript.text.done\",\"text\":\"Hello from the mock\",\"logprobs\":[],"
                        + "\"usage\":{\"type\":\"tokens\",\"input_tokens\":10,\"input_token_details\":"
                        + "{\"text_tokens\":0,\"audio_tokens\":10},\"output_tokens\":20,\"total_tokens\":30}}");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.AUDIO_TRANSCRIPTIONS);
        assertThat(call.usage().totalTokens()).isEqualTo(30);
    }

    private static List<String> events(String body) {
        return Arrays.stream(body.split("\n\n")).map(String::strip).filter(event -> !event.isEmpty()).toList();
    }

    private static String joinedContent(String body) {
        StringBuilder content = new StringBuilder();
        Matcher matcher = CONTENT.matcher(body);
        while (matcher.find()) {
            content.append(matcher.group(1));
        }
        return content.toString();
    }
}
