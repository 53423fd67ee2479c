package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.BedrockExchanges;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/embeddings} on {@code bedrock/} embedding models end to end over real sockets: Titan's one SigV4-signed
 * InvokeModel call per input (sent together, answered in input order), Cohere's one batched call, and the errors of
 * any one call. The mock verifies every signature and refuses fields its model does not define; it is steered by
 * {@code mock_*} controls inside an input text, which reach only that input's call.
 */
class ProxyServerBedrockEmbeddingsTest {
    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        StringBuilder yaml = new StringBuilder("model_list:\n");
        for (String[] model : new String[][] {{"titan-v2", "amazon.titan-embed-text-v2:0"},
                {"titan-v1", "amazon.titan-embed-text-v1"}, {"titan-image", "amazon.titan-embed-image-v1"},
                {"cohere", "cohere.embed-english-v3"}}) {
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

    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Test
    void shouldAnswerTitanInputsInTheirOrderWithOneSignedCallEachAndUsageSummed() {
        String slowFirst = "{\"mock_delay_ms\":400}";
        HttpResponse<String> response = proxy.post("/v1/embeddings", "{\"model\":\"titan-v2\",\"input\":["
                + quoted(slowFirst) + ",\"two words\",\"three short words\"],\"dimensions\":256,"
                + "\"encoding_format\":\"float\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .startsWith("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":["
                        + slowFirst.length() + ".0,0.25,")
                .contains("{\"object\":\"embedding\",\"index\":1,\"embedding\":[9.0,0.25,")
                .contains("{\"object\":\"embedding\",\"index\":2,\"embedding\":[17.0,0.25,")
                .endsWith("],\"model\":\"amazon.titan-embed-text-v2:0\","
                        + "\"usage\":{\"prompt_tokens\":6,\"total_tokens\":6}}");
        List<RecordedRequest> calls = mock.requests();
        assertThat(calls).hasSize(3).allSatisfy(call -> {
            assertThat(call.uri()).isEqualTo("/model/amazon.titan-embed-text-v2%3A0/invoke");
            assertThat(call.header("authorization")).startsWith("AWS4-HMAC-SHA256 Credential="
                    + BedrockExchanges.ACCESS_KEY_ID + "/").contains("/us-east-1/bedrock/aws4_request");
        });
        assertThat(calls).extracting(RecordedRequest::body).contains(
                "{\"inputText\":\"two words\",\"dimensions\":256,\"embeddingTypes\":[\"float\"]}");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.status()).isEqualTo(200);
        assertThat(call.usage()).isEqualTo(new Usage(6, 0, 6));
        assertThat(call.attempts()).hasSize(1);
    }

    @Test
    void shouldSendTitanCallsTogetherRatherThanOneAfterAnother() {
        String slow = quoted("{\"mock_delay_ms\":3000}");
        HttpRequest request = HttpRequest.newBuilder(proxy.uri("/v1/embeddings"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"titan-v2\",\"input\":[" + slow + ","
                        + slow + "," + slow + "]}"))
                .build();
        CompletableFuture<HttpResponse<String>> answer = HttpClient.newHttpClient()
                .sendAsync(request, HttpResponse.BodyHandlers.ofString());

        // One after another, the second call would leave only once the first had answered, 3 s later.
        await().atMost(Duration.ofSeconds(2)).until(() -> mock.requests().size() == 3);
        assertThat(answer).isNotDone();
        assertThat(answer.join().statusCode()).isEqualTo(200);
    }

    @Test
    void shouldCloseEveryCallWhenTheClientGoesAwayMidRequest() throws Exception {
        String slow = quoted("{\"mock_delay_ms\":5000}");
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/embeddings", "{\"model\":\"titan-v2\",\"input\":[" + slow + ","
                    + slow + "]}", ""));
            await().atMost(Duration.ofSeconds(5)).until(() -> mock.requests().size() == 2);
        }

        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.error()).isEqualTo(ProxyError.CLIENT_CLOSED);
        await().atMost(Duration.ofSeconds(5)).until(() -> mock.openConnections() == 0);
    }

    @Test
    void shouldPackFloatsAsBase64WhenTheClientAsksForBase64() {
        HttpResponse<String> response = proxy.post("/v1/embeddings",
                "{\"model\":\"titan-v2\",\"input\":\"abc\",\"encoding_format\":\"base64\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        String packed = response.body().replaceAll(".*\"embedding\":\"([^\"]+)\".*", "$1");
        ByteBuffer floats = ByteBuffer.wrap(Base64.getDecoder().decode(packed)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(floats.remaining()).isEqualTo(8 * Float.BYTES);
        assertThat(floats.getFloat()).isEqualTo(3.0f);
        assertThat(floats.getFloat()).isEqualTo(0.25f);
        assertThat(mock.requests().get(0).body()).isEqualTo("{\"inputText\":\"abc\",\"embeddingTypes\":[\"float\"]}");
    }

    @Test
    void shouldSendCohereInputsInOneCallWithInputTypeAndReadTokensFromTheHeader() {
        HttpResponse<String> response = proxy.post("/v1/embeddings", "{\"model\":\"cohere\",\"input\":"
                + "[\"one\",\"two words\"],\"input_type\":\"search_query\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("{\"object\":\"embedding\",\"index\":0,\"embedding\":[3.0,0.25,")
                .contains("{\"object\":\"embedding\",\"index\":1,\"embedding\":[9.0,0.25,")
                .endsWith("\"model\":\"cohere.embed-english-v3\",\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}");
        assertThat(mock.requests()).singleElement().satisfies(call -> {
            assertThat(call.uri()).isEqualTo("/model/cohere.embed-english-v3/invoke");
            assertThat(call.body()).isEqualTo("{\"texts\":[\"one\",\"two words\"],\"input_type\":\"search_query\"}");
        });
        assertThat(proxy.awaitCalls(1).usage()).isEqualTo(new Usage(3, 0, 3));
    }

    @Test
    void shouldDefaultCohereInputTypeToSearchDocument() {
        HttpResponse<String> response = proxy.post("/v1/embeddings", "{\"model\":\"cohere\",\"input\":\"x\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(mock.requests().get(0).body()).isEqualTo("{\"texts\":[\"x\"],\"input_type\":\"search_document\"}");
    }

    @Test
    void shouldFailTheRequestWithTheProvidersStatusWhenOneCallFails() {
        HttpResponse<String> response = proxy.post("/v1/embeddings", "{\"model\":\"titan-v1\",\"input\":[\"fine\","
                + quoted("{\"mock_status\":400,\"mock_error_message\":\"Malformed input request\"}") + "]}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"message\":\"BedrockException - Malformed input request\"")
                .contains("\"type\":\"invalid_request_error\"");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.status()).isEqualTo(400);
    }

    @Test
    void shouldRefuseDimensionsOnTitanV1WithoutCallingBedrock() {
        HttpResponse<String> response = proxy.post("/v1/embeddings",
                "{\"model\":\"titan-v1\",\"input\":\"x\",\"dimensions\":256}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("UnsupportedParamsError").contains("'dimensions'");
        assertThat(mock.requests()).isEmpty();
    }

    @Test
    void shouldSendAnImageDataUrlToTitanMultimodalAsInputImage() {
        HttpResponse<String> response = proxy.post("/v1/embeddings", "{\"model\":\"titan-image\",\"input\":"
                + "[\"a cat\",\"data:image/png;base64,iVBORw0KGgo=\"],\"dimensions\":256}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(mock.requests()).extracting(RecordedRequest::body).containsExactlyInAnyOrder(
                        "{\"inputText\":\"a cat\",\"embeddingConfig\":{\"outputEmbeddingLength\":256}}",
                        "{\"inputImage\":\"iVBORw0KGgo=\",\"embeddingConfig\":{\"outputEmbeddingLength\":256}}");
    }

    @Test
    void shouldRefuseTokenArraysWithA400() {
        HttpResponse<String> response = proxy.post("/v1/embeddings", "{\"model\":\"titan-v2\",\"input\":[[1,2,3]]}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("token arrays are not supported");
        assertThat(mock.requests()).isEmpty();
    }
}
