package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockFault;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.provider.Endpoint;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/images/generations}, {@code /v1/moderations} and {@code /v1/rerank} end to end over real sockets: the
 * bodies the OpenAI SDK sends ({@code client.images.generate}, {@code client.moderations.create}) and Cohere's SDK
 * ({@code co.rerank}), relayed to OpenAI-compatible, Azure and rerank providers in their wire formats.
 */
class ProxyServerMediaTest {
    private static final String IMAGE = "{\"prompt\":\"A red fox in snow\",\"model\":\"%s\",\"n\":2,"
            + "\"size\":\"1024x1024\",\"response_format\":\"b64_json\"}";
    private static final String RERANK = "{\"model\":\"%s\",\"query\":\"What is the capital of France?\","
            + "\"documents\":[\"Berlin is in Germany.\",\"Paris is the capital of France.\",\"Madrid.\"],"
            + "\"top_n\":2,\"return_documents\":true}";

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: image
                    litellm_params:
                      model: openai/gpt-image-1
                      api_base: %1$s/v1
                      api_key: sk-upstream
                    model_info:
                      mode: image_generation
                  - model_name: azure-image
                    litellm_params:
                      model: azure/dalle
                      api_base: %1$s
                      api_key: azure-key
                      api_version: 2025-04-01-preview
                  - model_name: moderation
                    litellm_params:
                      model: openai/omni-moderation-latest
                      api_base: %1$s/v1
                      api_key: sk-upstream
                    model_info:
                      mode: moderation
                  - model_name: cohere-rerank
                    litellm_params:
                      model: cohere/rerank-v3.5
                      api_base: %1$s/v2
                    model_info:
                      mode: rerank
                  - model_name: jina-rerank
                    litellm_params:
                      model: jina_ai/jina-reranker-v2-base-multilingual
                      api_base: %1$s/v1
                      api_key: jina-key
                  - model_name: voyage-rerank
                    litellm_params:
                      model: voyage/rerank-2.5
                      api_base: %1$s/v1
                      api_key: pa-key
                  - model_name: vllm-rerank
                    litellm_params:
                      model: hosted_vllm/BAAI/bge-reranker-v2-m3
                      api_base: %1$s/v1
                  - model_name: gemini-flash
                    litellm_params:
                      model: gemini/gemini-2.5-flash
                      api_base: %1$s
                      api_key: AIza-test
                """.formatted(mock.origin()))
                .env(Map.of("COHERE_API_KEY", "co-key"))
                .start();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldRelayImagesAndRecordTheirTokensWhenOpenAiDeploymentAnswers() {
        HttpResponse<String> response = proxy.post("/v1/images/generations", IMAGE.formatted("image"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue("image");
        assertThat(response.body()).startsWith("{\"created\":1700000000,\"data\":[{\"b64_json\":\"iVBORw0KGgo")
                .contains("\"usage\":{\"input_tokens\":12,\"output_tokens\":544,\"total_tokens\":556");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1/images/generations");
        assertThat(upstream.header("authorization")).isEqualTo("Bearer sk-upstream");
        assertThat(upstream.body()).isEqualTo(IMAGE.formatted("gpt-image-1"));
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.IMAGE_GENERATIONS);
        assertThat(call.usage()).isEqualTo(new Usage(12, 544, 556));
    }

    @Test
    void shouldCallTheDeploymentPathWhenImageDeploymentIsAzure() {
        HttpResponse<String> response = proxy.post("/images/generations", IMAGE.formatted("azure-image"));

        assertThat(response.statusCode()).isEqualTo(200);
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri())
                .isEqualTo("/openai/deployments/dalle/images/generations?api-version=2025-04-01-preview");
        assertThat(upstream.header("api-key")).isEqualTo("azure-key");
    }

    @Test
    void shouldRefuseWith400WhenImagePromptIsMissing() {
        HttpResponse<String> response = proxy.post("/v1/images/generations", "{\"model\":\"image\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("Missing required field: prompt");
        assertThat(mock.requests()).isEmpty();
    }

    @Test
    void shouldRefuseWith400WhenAGeminiChatModelIsAskedForImages() {
        HttpResponse<String> response = proxy.post("/v1/images/generations", IMAGE.formatted("gemini-flash"));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body())
                .contains("/images/generations is supported for gemini Imagen models (imagen-*) only");
        assertThat(mock.requests()).isEmpty();
    }

    @Test
    void shouldRelayTheVerdictsWhenModerationDeploymentAnswers() {
        String body = "{\"input\":[\"I want to hug you\",\"Nice day\"],\"model\":\"moderation\"}";

        HttpResponse<String> response = proxy.post("/v1/moderations", body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("{\"id\":\"modr-mock\",\"model\":\"omni-moderation-latest\","
                + "\"results\":[{\"flagged\":false,");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1/moderations");
        assertThat(upstream.body())
                .isEqualTo("{\"input\":[\"I want to hug you\",\"Nice day\"],\"model\":\"omni-moderation-latest\"}");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.MODERATIONS);
        assertThat(call.status()).isEqualTo(200);
    }

    @Test
    void shouldRefuseModerationOnAnImageModelWhenModesDiffer() {
        HttpResponse<String> response = proxy.post("/moderations", "{\"input\":\"hi\",\"model\":\"image\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("has mode `image_generation`", "use /v1/images/generations");
    }

    @Test
    void shouldSendCohereItsRerankRequestWhenDeploymentIsCohere() {
        HttpResponse<String> response = proxy.post("/v2/rerank", RERANK.formatted("cohere-rerank"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"id\":\"rerank-mock\",\"results\":[{\"index\":2,"
                + "\"relevance_score\":0.9,\"document\":{\"text\":\"document 2\"}},{\"index\":1,"
                + "\"relevance_score\":0.8,\"document\":{\"text\":\"document 1\"}}],"
                + "\"meta\":{\"billed_units\":{\"search_units\":1}}}");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v2/rerank");
        assertThat(upstream.header("authorization")).isEqualTo("Bearer co-key");
        assertThat(upstream.body()).isEqualTo(RERANK.formatted("rerank-v3.5"));
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.RERANK);
        assertThat(call.status()).isEqualTo(200);
    }

    @Test
    void shouldSendJinaAndVllmTheSameRequestWhenTheyRerank() {
        HttpResponse<String> jina = proxy.post("/v1/rerank", RERANK.formatted("jina-rerank"));
        HttpResponse<String> vllm = proxy.post("/rerank", RERANK.formatted("vllm-rerank"));

        assertThat(jina.statusCode()).isEqualTo(200);
        assertThat(vllm.statusCode()).isEqualTo(200);
        assertThat(mock.requests().get(0).uri()).isEqualTo("/v1/rerank");
        assertThat(mock.requests().get(0).header("authorization")).isEqualTo("Bearer jina-key");
        assertThat(mock.requests().get(0).body())
                .isEqualTo(RERANK.formatted("jina-reranker-v2-base-multilingual"));
        assertThat(mock.requests().get(1).uri()).isEqualTo("/v1/rerank");
        assertThat(mock.requests().get(1).body()).isEqualTo(RERANK.formatted("BAAI/bge-reranker-v2-m3"));
    }

    @Test
    void shouldTranslateBothWaysWhenDeploymentIsVoyage() {
        HttpResponse<String> response = proxy.post("/v1/rerank", RERANK.formatted("voyage-rerank"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"id\":\"voyage-rerank-rerank-2.5\",\"results\":[{\"index\":2,"
                + "\"relevance_score\":0.9,\"document\":{\"text\":\"document 2\"}},{\"index\":1,"
                + "\"relevance_score\":0.8,\"document\":{\"text\":\"document 1\"}}],\"meta\":{\"billed_units\":"
                + "{\"total_tokens\":30},\"tokens\":{\"input_tokens\":30,\"output_tokens\":0}}}");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1/rerank");
        assertThat(upstream.header("authorization")).isEqualTo("Bearer pa-key");
        assertThat(upstream.body()).isEqualTo("{\"model\":\"rerank-2.5\",\"query\":\"What is the capital of "
                + "France?\",\"documents\":[\"Berlin is in Germany.\",\"Paris is the capital of France.\","
                + "\"Madrid.\"],\"top_k\":2,\"return_documents\":true}");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.RERANK);
        assertThat(call.usage()).isEqualTo(new Usage(30, 0, 30));
    }

    @Test
    void shouldRefuseChatWhenTheProviderOnlyReranks() {
        HttpResponse<String> response = proxy.chat("jina-rerank");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("/chat/completions is not supported for jina_ai models",
                "they serve /v1/rerank");
        assertThat(mock.requests()).isEmpty();
    }

    @Test
    void shouldRelayTheProvidersErrorWhenRerankFails() {
        mock.enqueueFaults(MockFault.status(400));

        HttpResponse<String> response = proxy.post("/v1/rerank", RERANK.formatted("vllm-rerank"));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"error\"");
        assertThat(proxy.awaitCalls(1).status()).isEqualTo(400);
    }
}
