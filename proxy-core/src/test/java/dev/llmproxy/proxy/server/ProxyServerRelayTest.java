package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.provider.Endpoint;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Non-streamed calls relayed to an OpenAI-compatible and an Azure-style provider. */
class ProxyServerRelayTest {
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
                      api_base: %1$s
                      api_key: sk-upstream-1
                    model_info:
                      id: dep-a
                  - model_name: azure-gpt
                    litellm_params:
                      model: azure/my-dep
                      api_base: %2$s
                      api_key: az-key-1
                      api_version: "2024-10-21"
                    model_info:
                      id: dep-azure
                """.formatted(mock.baseUrl(), mock.origin()));
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldRelayResponseAndRewriteOnlyTheModelWhenChatCompletionIsNotStreamed() {
        String body = "{\"model\":\"gpt-a\",\"messages\":[{\"role\":\"user\",\"content\":\"h\\u00e9llo\"}],"
                + "\"temperature\":0.25, \"user\" : \"u-1\"}";

        HttpResponse<String> response = proxy.post("/v1/chat/completions", body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"chat.completion\"").contains("\"model\":\"gpt-4o-mini\"");
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        String callId = response.headers().firstValue("x-litellm-call-id").orElseThrow();
        assertThat(UUID.fromString(callId).toString()).isEqualTo(callId);
        assertThat(response.headers().firstValue("x-litellm-model-id")).hasValue("dep-a");
        assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue("gpt-a");
        assertThat(response.headers().firstValue("x-litellm-model-api-base")).hasValue(mock.baseUrl());
        assertThat(response.headers().firstValue("x-litellm-response-duration-ms")).hasValueSatisfying(
                ms -> assertThat(ms).matches("\\d+\\.\\d{3}"));
        assertThat(response.headers().firstValue("x-litellm-overhead-duration-ms")).hasValueSatisfying(
                ms -> assertThat(ms).matches("\\d+\\.\\d{3}"));

        RecordedRequest received = mock.requests().get(0);
        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.uri()).isEqualTo("/v1/chat/completions");
        assertThat(received.header("authorization")).isEqualTo("Bearer sk-upstream-1");
        assertThat(received.body()).isEqualTo(body.replace("\"model\":\"gpt-a\"", "\"model\":\"gpt-4o-mini\""));

        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.callId()).isEqualTo(callId);
        assertThat(call.endpoint()).isEqualTo(Endpoint.CHAT_COMPLETIONS);
        assertThat(call.requestedModel()).isEqualTo("gpt-a");
        assertThat(call.modelGroup()).isEqualTo("gpt-a");
        assertThat(call.deploymentId()).isEqualTo("dep-a");
        assertThat(call.status()).isEqualTo(200);
        assertThat(call.stream()).isFalse();
        assertThat(call.usage()).isNotNull();
        assertThat(call.usage().promptTokens()).isEqualTo(10);
    }

    @Test
    void shouldForwardToV1PathWhenClientOmitsV1Prefix() {
        HttpResponse<String> response = proxy.post("/chat/completions", ProxyFixture.CHAT_BODY.formatted("gpt-a"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"chat.completion\"");
        assertThat(mock.requests().get(0).uri()).isEqualTo("/v1/chat/completions");
    }

    @Test
    void shouldRelayTextCompletionWhenPathIsV1Completions() {
        String body = "{\"model\":\"gpt-a\",\"prompt\":\"Say hi\",\"max_tokens\":5}";

        HttpResponse<String> response = proxy.post("/v1/completions", body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"text_completion\"");
        RecordedRequest received = mock.requests().get(0);
        assertThat(received.uri()).isEqualTo("/v1/completions");
        assertThat(received.body()).isEqualTo("{\"model\":\"gpt-4o-mini\",\"prompt\":\"Say hi\",\"max_tokens\":5}");
        assertThat(proxy.awaitCalls(1).endpoint()).isEqualTo(Endpoint.COMPLETIONS);
    }

    @Test
    void shouldRelayEmbeddingsWhenPathIsV1Embeddings() {
        String body = "{\"input\":[\"a\",\"b\"],\"model\":\"gpt-a\"}";

        HttpResponse<String> response = proxy.post("/v1/embeddings", body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"embedding\"");
        RecordedRequest received = mock.requests().get(0);
        assertThat(received.uri()).isEqualTo("/v1/embeddings");
        assertThat(received.body()).isEqualTo("{\"input\":[\"a\",\"b\"],\"model\":\"gpt-4o-mini\"}");
        assertThat(proxy.awaitCalls(1).endpoint()).isEqualTo(Endpoint.EMBEDDINGS);
    }

    @Test
    void shouldCallAzureDeploymentWithApiKeyHeaderWhenClientUsesAzurePath() {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        HttpResponse<String> response =
                proxy.post("/openai/deployments/azure-gpt/chat/completions?api-version=2024-10-21", body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"chat.completion\"");
        assertThat(response.headers().firstValue("x-litellm-model-id")).hasValue("dep-azure");
        assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue("azure-gpt");
        RecordedRequest received = mock.requests().get(0);
        assertThat(received.uri()).isEqualTo("/openai/deployments/my-dep/chat/completions?api-version=2024-10-21");
        assertThat(received.header("api-key")).isEqualTo("az-key-1");
        assertThat(received.header("authorization")).isNull();
    }

    @Test
    void shouldRewriteModelForAzureDeploymentWhenBodyNamesTheModelGroup() {
        HttpResponse<String> response = proxy.chat("azure-gpt");

        assertThat(response.statusCode()).isEqualTo(200);
        RecordedRequest received = mock.requests().get(0);
        assertThat(received.path()).isEqualTo("/openai/deployments/my-dep/chat/completions");
        assertThat(received.body()).isEqualTo(ProxyFixture.CHAT_BODY.formatted("my-dep"));
    }
}
