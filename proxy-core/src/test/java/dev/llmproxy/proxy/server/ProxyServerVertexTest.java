package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.provider.GoogleTokenAuthTestKeys;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vertex_ai/} Gemini deployments end to end: the service account's assertion exchanged for a token at the mock's
 * token endpoint (which checks its RS256 signature), the token cached and refreshed before it expires, and Gemini
 * requests on Vertex AI's project paths with the bearer token.
 */
class ProxyServerVertexTest {
    private static final KeyPair KEYS = GoogleTokenAuthTestKeys.KEYS;
    private static final String CHAT = "{\"model\":\"vertex-pro\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"Say hi\"}]}";

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @AfterEach
    void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
        mock.close();
    }

    private void start(long tokenLifetimeSeconds, KeyPair signingKeys) throws IOException {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true)
                .googleTokenKey(KEYS.getPublic()).googleTokenLifetimeSeconds(tokenLifetimeSeconds).build());
        Path credentials = dir.resolve("service-account.json");
        Files.writeString(credentials, GoogleTokenAuthTestKeys.serviceAccountJson(signingKeys,
                mock.origin() + "/token"));
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: vertex-pro
                    litellm_params:
                      model: vertex_ai/gemini-2.5-pro
                      vertex_project: my-project
                      vertex_location: europe-west4
                      vertex_credentials: %1$s
                      api_base: %2$s
                  - model_name: vertex-embedding
                    litellm_params:
                      model: vertex_ai/text-embedding-005
                      vertex_project: my-project
                      vertex_location: europe-west4
                      vertex_credentials: %1$s
                      api_base: %2$s
                  - model_name: vertex-claude
                    litellm_params:
                      model: vertex_ai/claude-sonnet-4-5@20250929
                      vertex_location: us-east5
                      vertex_credentials: %1$s
                      api_base: %2$s
                """.formatted(credentials, mock.origin()));
    }

    @Test
    void shouldCallVertexPathWithTokenFetchedOnceWhenServiceAccountSignsItsAssertion() throws IOException {
        start(3599, KEYS);

        HttpResponse<String> first = proxy.post("/v1/chat/completions", CHAT);
        HttpResponse<String> second = proxy.post("/v1/chat/completions", CHAT.replace("}]}", "}],\"stream\":true}"));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("\"content\":\"" + "tok ".repeat(20) + "\"");
        assertThat(second.body()).endsWith("data: [DONE]\n\n");
        assertThat(mock.googleTokenRequests()).isEqualTo(1);
        List<RecordedRequest> requests = mock.requests();
        RecordedRequest token = requests.get(0);
        assertThat(token.uri()).isEqualTo("/token");
        assertThat(token.header("content-type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(token.body()).startsWith("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
                + "&assertion=");
        assertThat(requests.get(1).uri()).isEqualTo("/v1/projects/my-project/locations/europe-west4/publishers/"
                + "google/models/gemini-2.5-pro:generateContent");
        assertThat(requests.get(1).header("authorization")).isEqualTo("Bearer ya29.mock-1");
        assertThat(requests.get(2).uri()).endsWith("/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
        assertThat(requests.get(2).header("authorization")).isEqualTo("Bearer ya29.mock-1");
    }

    @Test
    void shouldEmbedThroughPredictWhenModelIsAVertexEmbeddingModel() throws IOException {
        start(3599, KEYS);

        HttpResponse<String> response = proxy.post("/v1/embeddings",
                "{\"input\":[\"first\",\"second\"],\"model\":\"vertex-embedding\",\"dimensions\":4,"
                        + "\"encoding_format\":\"float\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\","
                + "\"index\":0,\"embedding\":[-0.5,-0.375,-0.25,-0.125]},{\"object\":\"embedding\",\"index\":1,"
                + "\"embedding\":[-0.5,-0.375,-0.25,-0.125]}],\"model\":\"text-embedding-005\","
                + "\"usage\":{\"prompt_tokens\":6,\"total_tokens\":6}}");
        RecordedRequest upstream = mock.requests().get(1);
        assertThat(upstream.uri()).isEqualTo("/v1/projects/my-project/locations/europe-west4/publishers/google/"
                + "models/text-embedding-005:predict");
        assertThat(upstream.header("authorization")).isEqualTo("Bearer ya29.mock-1");
        assertThat(upstream.body()).isEqualTo("{\"instances\":[{\"content\":\"first\"},{\"content\":"
                + "\"second\"}],\"parameters\":{\"outputDimensionality\":4}}");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.EMBEDDINGS);
        assertThat(call.usage()).isEqualTo(new Usage(6, 0, 6));
    }

    @Test
    void shouldRefreshTokenInBackgroundWhileRequestsKeepUsingTheCurrentOne() throws IOException {
        start(4, KEYS);

        assertThat(proxy.post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(proxy.post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
            return mock.googleTokenRequests() == 2 && mock.requests().stream()
                    .anyMatch(r -> "Bearer ya29.mock-2".equals(r.header("authorization")));
        });

        List<RecordedRequest> chats = mock.requests().stream().filter(r -> !r.uri().equals("/token")).toList();
        assertThat(chats).allSatisfy(r -> assertThat(r.header("authorization")).startsWith("Bearer ya29.mock-"));
    }

    @Test
    void shouldCallRawPredictWithAnthropicBodyWhenModelIsClaude() throws IOException {
        start(3599, KEYS);
        String chat = CHAT.replace("vertex-pro", "vertex-claude").replace("}]}", "}],\"mock_chunks\":2}");

        HttpResponse<String> plain = proxy.post("/v1/chat/completions", chat);
        HttpResponse<String> streamed = proxy.post("/v1/chat/completions",
                chat.substring(0, chat.length() - 1) + ",\"stream\":true}");

        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.body()).contains("\"content\":\"tok tok \"").contains("\"finish_reason\":\"stop\"");
        assertThat(streamed.body()).contains("\"delta\":{\"content\":\"tok \"}").endsWith("data: [DONE]\n\n");
        RecordedRequest upstream = mock.requests().get(1);
        assertThat(upstream.uri()).isEqualTo("/v1/projects/proj/locations/us-east5/publishers/anthropic/models/"
                + "claude-sonnet-4-5@20250929:rawPredict");
        assertThat(upstream.header("authorization")).isEqualTo("Bearer ya29.mock-1");
        assertThat(upstream.header("x-api-key")).isNull();
        assertThat(upstream.body()).startsWith("{\"anthropic_version\":\"vertex-2023-10-16\",\"messages\":[")
                .doesNotContain("\"model\"");
        assertThat(mock.requests().get(2).uri()).endsWith("claude-sonnet-4-5@20250929:streamRawPredict");
    }

    @Test
    void shouldAnswerAuthenticationErrorWhenTokenEndpointRefusesAssertion() throws IOException {
        start(3599, GoogleTokenAuthTestKeys.keyPair());

        HttpResponse<String> response = proxy.post("/v1/chat/completions", CHAT);

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("Cannot authenticate with the provider");
        assertThat(mock.googleTokenRequests()).isEqualTo(1);
        assertThat(mock.requests()).extracting(RecordedRequest::uri).containsExactly("/token");
    }
}
