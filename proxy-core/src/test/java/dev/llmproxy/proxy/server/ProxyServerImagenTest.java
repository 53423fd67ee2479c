package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.provider.GoogleTokenAuthTestKeys;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/images/generations} on Imagen models end to end, as the OpenAI SDK sends it: Vertex AI's and the Gemini
 * API's {@code :predict} with {@code instances}/{@code parameters} (the mock refuses OpenAI's field names), the
 * predictions' base64 images back as {@code b64_json}.
 */
class ProxyServerImagenTest {
    private static final KeyPair KEYS = GoogleTokenAuthTestKeys.KEYS;

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() throws IOException {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true)
                .googleTokenKey(KEYS.getPublic()).build());
        Path credentials = dir.resolve("service-account.json");
        Files.writeString(credentials, GoogleTokenAuthTestKeys.serviceAccountJson(KEYS, mock.origin() + "/token"));
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: vertex-imagen
                    litellm_params:
                      model: vertex_ai/imagen-3.0-generate-002
                      vertex_project: my-project
                      vertex_location: us-central1
                      vertex_credentials: %1$s
                      api_base: %2$s
                  - model_name: gemini-imagen
                    litellm_params:
                      model: gemini/imagen-4.0-generate-001
                      api_key: gemini-key
                      api_base: %2$s
                  - model_name: gemini-flash
                    litellm_params:
                      model: gemini/gemini-2.5-flash
                      api_key: gemini-key
                      api_base: %2$s
                """.formatted(credentials, mock.origin()));
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    private static String decoded(String b64) {
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.US_ASCII);
    }

    @Test
    void shouldGenerateImagesOnVertexImagenThroughPredict() {
        HttpResponse<String> response = proxy.post("/v1/images/generations", "{\"model\":\"vertex-imagen\","
                + "\"prompt\":\"a lighthouse at dawn\",\"n\":2,\"size\":\"1792x1024\",\"response_format\":\"b64_json\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).matches("\\{\"created\":\\d+,\"data\":\\[\\{\"b64_json\":\""
                + Base64.getEncoder().encodeToString("mock-image-0".getBytes(StandardCharsets.US_ASCII))
                + "\"},\\{\"b64_json\":\"[^\"]+\"}]}");
        List<RecordedRequest> requests = mock.requests();
        RecordedRequest predict = requests.get(requests.size() - 1);
        assertThat(predict.uri()).isEqualTo("/v1/projects/my-project/locations/us-central1/publishers/google/models/"
                + "imagen-3.0-generate-002:predict");
        assertThat(predict.header("authorization")).isEqualTo("Bearer ya29.mock-1");
        assertThat(predict.body()).isEqualTo("{\"instances\":[{\"prompt\":\"a lighthouse at dawn\"}],"
                + "\"parameters\":{\"sampleCount\":2,\"aspectRatio\":\"16:9\"}}");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.IMAGE_GENERATIONS);
        assertThat(call.status()).isEqualTo(200);
    }

    @Test
    void shouldGenerateImagesOnGeminiImagenWithTheApiKey() {
        HttpResponse<String> response = proxy.post("/v1/images/generations",
                "{\"model\":\"gemini-imagen\",\"prompt\":\"a red kite\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        String b64 = response.body().replaceAll(".*\"b64_json\":\"([^\"]+)\".*", "$1");
        assertThat(decoded(b64)).isEqualTo("mock-image-0");
        RecordedRequest predict = mock.requests().get(0);
        assertThat(predict.uri()).isEqualTo("/v1beta/models/imagen-4.0-generate-001:predict");
        assertThat(predict.header("x-goog-api-key")).isEqualTo("gemini-key");
        assertThat(predict.body()).isEqualTo("{\"instances\":[{\"prompt\":\"a red kite\"}],"
                + "\"parameters\":{\"sampleCount\":1}}");
    }

    @Test
    void shouldRelayImagensErrorInOpenAisShape() {
        HttpResponse<String> response = proxy.post("/v1/images/generations", "{\"model\":\"gemini-imagen\","
                + "\"prompt\":\"{\\\"mock_status\\\":429}\"}");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.body()).contains("\"type\":\"rate_limit_error\"").contains("Gemini");
    }

    @Test
    void shouldRefuseImageGenerationOnAGeminiChatModelWithoutCallingIt() {
        HttpResponse<String> response = proxy.post("/v1/images/generations",
                "{\"model\":\"gemini-flash\",\"prompt\":\"a red kite\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("Imagen models (imagen-*) only");
        assertThat(mock.requests()).isEmpty();
    }
}
