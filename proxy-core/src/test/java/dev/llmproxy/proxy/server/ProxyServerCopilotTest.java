package dev.llmproxy.proxy.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockGitHub;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code github_copilot/} over real sockets: the GitHub token in LiteLLM's token directory is exchanged with the
 * GitHub mock for a Copilot token, which the chat request to the mock provider carries with Copilot's headers; the
 * device flow when no GitHub token is there yet.
 */
class ProxyServerCopilotTest {

    @TempDir
    Path dir;

    private MockProvider mock;
    private @Nullable MockGitHub github;
    private @Nullable ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
    }

    @AfterEach
    void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
        if (github != null) {
            github.close();
        }
        mock.close();
    }

    private ProxyFixture start(int pendingPolls, boolean loggedIn) throws Exception {
        github = MockGitHub.start(pendingPolls, 1800, mock.origin());
        Path tokens = dir.resolve("copilot");
        if (loggedIn) {
            Files.createDirectories(tokens);
            Files.writeString(tokens.resolve("access-token"), MockGitHub.ACCESS_TOKEN + "\n", UTF_8);
        }
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: copilot-gpt
                    litellm_params:
                      model: github_copilot/gpt-4o
                """)
                .env(Map.of("GITHUB_COPILOT_TOKEN_DIR", tokens.toString(),
                        "GITHUB_COPILOT_GITHUB_URL", github.origin(),
                        "GITHUB_COPILOT_API_KEY_URL", github.apiKeyUrl(),
                        "GITHUB_COPILOT_API_BASE", mock.origin()))
                .start();
        return proxy;
    }

    private static String chat(String messages) {
        return "{\"model\":\"copilot-gpt\",\"messages\":[" + messages + "]}";
    }

    @Test
    void shouldCallCopilotWithTheExchangedTokenAndItsHeadersWhenLoggedIn() throws Exception {
        ProxyFixture proxy = start(0, true);

        HttpResponse<String> response = proxy.post("/v1/chat/completions",
                chat("{\"role\":\"user\",\"content\":\"hi\"}"));

        assertThat(response.statusCode()).isEqualTo(200);
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.path()).isEqualTo("/chat/completions");
        assertThat(upstream.header("authorization")).startsWith("Bearer tid=mock1;exp=");
        assertThat(upstream.header("copilot-integration-id")).isEqualTo("vscode-chat");
        assertThat(upstream.header("editor-version")).isEqualTo("vscode/1.95.0");
        assertThat(upstream.header("editor-plugin-version")).isEqualTo("copilot-chat/0.26.7");
        assertThat(upstream.header("user-agent")).isEqualTo("GitHubCopilotChat/0.26.7");
        assertThat(upstream.header("openai-intent")).isEqualTo("conversation-panel");
        assertThat(upstream.header("x-github-api-version")).isEqualTo("2025-04-01");
        assertThat(upstream.header("x-request-id")).hasSize(36);
        assertThat(upstream.header("x-initiator")).isEqualTo("user");
        assertThat(upstream.header("copilot-vision-request")).isNull();
        assertThat(upstream.body()).contains("\"model\":\"gpt-4o\"");
        assertThat(dir.resolve("copilot/api-key.json")).content(UTF_8).contains("\"token\":\"tid=mock1;");
    }

    @Test
    void shouldReuseTheCopilotTokenAcrossRequestsAndMarkAgentAndVisionRequests() throws Exception {
        ProxyFixture proxy = start(0, true);

        proxy.post("/v1/chat/completions", chat("{\"role\":\"user\",\"content\":\"hi\"}"));
        HttpResponse<String> followUp = proxy.post("/v1/chat/completions", chat(
                "{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"hello\"},"
                        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what is this?\"},"
                        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}}]}"));

        assertThat(followUp.statusCode()).isEqualTo(200);
        assertThat(github.exchanges()).isEqualTo(1);
        RecordedRequest second = mock.requests().get(1);
        assertThat(second.header("authorization")).startsWith("Bearer tid=mock1;");
        assertThat(second.header("x-initiator")).isEqualTo("agent");
        assertThat(second.header("copilot-vision-request")).isEqualTo("true");
    }

    @Test
    void shouldNotTakeTheWordAssistantInsideTextForAnAssistantMessage() throws Exception {
        ProxyFixture proxy = start(0, true);

        proxy.post("/v1/chat/completions", chat("{\"role\":\"user\",\"content\":\"be my \\\"assistant\\\" and "
                + "my tool\"}"));

        assertThat(mock.requests().get(0).header("x-initiator")).isEqualTo("user");
    }

    @Test
    void shouldAnswer401WithTheLoginCodeThenWorkOnceTheDeviceFlowCompletes() throws Exception {
        ProxyFixture proxy = start(1, false);

        HttpResponse<String> first = proxy.post("/v1/chat/completions", chat("{\"role\":\"user\",\"content\":\"hi\"}"));

        assertThat(first.statusCode()).isEqualTo(401);
        assertThat(first.body()).contains("GitHub Copilot is not logged in", "llmproxy copilot login");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                dir.resolve("copilot/access-token")).content(UTF_8).isEqualTo(MockGitHub.ACCESS_TOKEN));
        assertThat(github.deviceCodes()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(proxy.post("/v1/chat/completions",
                chat("{\"role\":\"user\",\"content\":\"hi\"}")).statusCode()).isEqualTo(200));
        assertThat(mock.requests()).isNotEmpty();
        assertThat(mock.requests().get(0).header("authorization")).startsWith("Bearer tid=mock");
    }

    @Test
    void shouldAnswer401WhenGitHubRefusesTheToken() throws Exception {
        ProxyFixture proxy = start(0, true);
        github.revoke();

        HttpResponse<String> response = proxy.post("/v1/chat/completions",
                chat("{\"role\":\"user\",\"content\":\"hi\"}"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("llmproxy copilot login");
        assertThat(mock.requests()).isEmpty();
    }
}
