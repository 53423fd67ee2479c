package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.BedrockExchanges;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.provider.Endpoint;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/images/generations} on {@code bedrock/} image models end to end: one SigV4-signed InvokeModel call in the
 * model's own format (the mock refuses OpenAI's field names), its base64 images back as {@code b64_json}.
 */
class ProxyServerBedrockImagesTest {
    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        StringBuilder yaml = new StringBuilder("model_list:\n");
        for (String[] model : new String[][] {{"titan-image", "amazon.titan-image-generator-v2:0"},
                {"sd3", "stability.sd3-large-v1:0"}, {"claude", "anthropic.claude-3-5-sonnet-20240620-v1:0"}}) {
            yaml.append("""
                      - model_name: %s
                        litellm_params:
                          model: bedrock/%s
                          api_base: %s
                          aws_access_key_id: %s
                          aws_secret_access_key: %s
                          aws_region_name: us-east-1
                    """.formatted(model[0], model[1], mock.origin(), BedrockExchanges.ACCESS_KEY_ID,
                    BedrockExchanges.SECRET_ACCESS_KEY));
        }
        proxy = ProxyFixture.start(dir, yaml.toString());
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    private static String image(int index) {
        return Base64.getEncoder().encodeToString(("mock-image-" + index).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void shouldGenerateTitanImagesWithSizeQualityAndCount() {
        HttpResponse<String> response = proxy.post("/v1/images/generations", "{\"model\":\"titan-image\","
                + "\"prompt\":\"a fox\",\"n\":2,\"size\":\"1024x768\",\"quality\":\"hd\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).matches("\\{\"created\":\\d+,\"data\":\\[\\{\"b64_json\":\"" + image(0)
                + "\"},\\{\"b64_json\":\"" + image(1) + "\"}]}");
        RecordedRequest call = mock.requests().get(0);
        assertThat(call.uri()).isEqualTo("/model/amazon.titan-image-generator-v2%3A0/invoke");
        assertThat(call.header("authorization")).startsWith("AWS4-HMAC-SHA256 Credential=");
        assertThat(call.body()).isEqualTo("{\"taskType\":\"TEXT_IMAGE\",\"textToImageParams\":{\"text\":\"a fox\"},"
                + "\"imageGenerationConfig\":{\"numberOfImages\":2,\"width\":1024,\"height\":768,"
                + "\"quality\":\"premium\"}}");
        CallRecord record = proxy.awaitCalls(1);
        assertThat(record.endpoint()).isEqualTo(Endpoint.IMAGE_GENERATIONS);
        assertThat(record.status()).isEqualTo(200);
    }

    @Test
    void shouldSendStabilityItsPrompt() {
        HttpResponse<String> response = proxy.post("/v1/images/generations",
                "{\"model\":\"sd3\",\"prompt\":\"a fox\",\"size\":\"1024x1024\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"b64_json\":\"" + image(0) + "\"");
        assertThat(mock.requests().get(0).body()).isEqualTo("{\"prompt\":\"a fox\"}");
    }

    @Test
    void shouldRelayBedrocksErrorWithItsStatus() {
        HttpResponse<String> response = proxy.post("/v1/images/generations", "{\"model\":\"titan-image\","
                + "\"prompt\":\"{\\\"mock_status\\\":429}\"}");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.body()).contains("BedrockException").contains("\"type\":\"rate_limit_error\"");
    }

    @Test
    void shouldRefuseImagesOnAChatModelWithoutCallingBedrock() {
        HttpResponse<String> response = proxy.post("/v1/images/generations",
                "{\"model\":\"claude\",\"prompt\":\"a fox\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("Bedrock image generation is supported for");
        assertThat(mock.requests()).isEmpty();
    }
}
