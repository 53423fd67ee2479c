package dev.llmproxy.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.provider.AnthropicAdapter;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.provider.Providers;
import dev.llmproxy.proxy.provider.ResponsesBridgeAdapter;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code anthropic/} entries of a config resolved into deployments that speak the Messages API. */
class AnthropicDeploymentTest {
    @TempDir
    Path dir;

    @Test
    void shouldUseAnthropicDefaultsAndAdapterWhenOnlyModelAndEnvironmentKeyAreGiven() throws IOException {
        Target target = only(table("""
                model_list:
                  - model_name: claude
                    litellm_params: {model: anthropic/claude-sonnet-4-5}
                """, Map.of("ANTHROPIC_API_KEY", "sk-ant-env")), "claude");

        Deployment deployment = target.deployment();
        assertThat(deployment.provider().supported()).isTrue();
        assertThat(deployment.adapter()).isInstanceOfSatisfying(ResponsesBridgeAdapter.class,
                bridge -> assertThat(bridge.chatAdapter()).isInstanceOf(AnthropicAdapter.class));
        assertThat(String.valueOf(deployment.baseUrl())).isEqualTo("https://api.anthropic.com");
        assertThat(target.upstreamModel()).isEqualTo("claude-sonnet-4-5");
        assertThat(target.requestPath(Endpoint.CHAT_COMPLETIONS, true)).isEqualTo("/v1/messages");
        HttpHeaders headers = authHeaders(deployment);
        assertThat(headers.get("x-api-key")).isEqualTo("sk-ant-env");
        assertThat(headers.get("anthropic-version")).isEqualTo("2023-06-01");
    }

    @Test
    void shouldTakeBaseFromEitherVariableAndKeepMessagesPathWhenBaseAlreadyEndsWithIt() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: a
                    litellm_params: {model: anthropic/claude-haiku-4-5}
                  - model_name: b
                    litellm_params:
                      model: anthropic/claude-haiku-4-5
                      api_base: "https://gw.example/anthropic/v1/messages"
                """, Map.of("ANTHROPIC_BASE_URL", "http://127.0.0.1:9999/proxy/"));

        assertThat(String.valueOf(only(table, "a").deployment().baseUrl())).isEqualTo("http://127.0.0.1:9999/proxy");
        assertThat(only(table, "a").requestPath(Endpoint.CHAT_COMPLETIONS, false)).isEqualTo("/proxy/v1/messages");
        assertThat(only(table, "b").requestPath(Endpoint.CHAT_COMPLETIONS, false))
                .isEqualTo("/anthropic/v1/messages");
    }

    @Test
    void shouldSendAuthTokenAsBearerWhenNoKeyIsSet() throws IOException {
        Target target = only(table("""
                model_list:
                  - model_name: claude
                    litellm_params: {model: anthropic/claude-sonnet-4-5}
                """, Map.of("ANTHROPIC_AUTH_TOKEN", "tok-1")), "claude");

        HttpHeaders headers = authHeaders(target.deployment());
        assertThat(headers.get("authorization")).isEqualTo("Bearer tok-1");
        assertThat(headers.contains("x-api-key")).isFalse();
    }

    @Test
    void shouldSendOAuthTokenAsBearerWithOAuthBetaWhenKeyIsAnOAuthToken() throws IOException {
        Target target = only(table("""
                model_list:
                  - model_name: claude
                    litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-ant-oat01-abc}
                """, Map.of()), "claude");

        HttpHeaders headers = authHeaders(target.deployment());
        assertThat(headers.get("authorization")).isEqualTo("Bearer sk-ant-oat01-abc");
        assertThat(headers.get("anthropic-beta")).isEqualTo("oauth-2025-04-20");
        assertThat(headers.get("anthropic-dangerous-direct-browser-access")).isEqualTo("true");
        assertThat(headers.contains("x-api-key")).isFalse();
    }

    @Test
    void shouldInferAnthropicAndListItAsSupportedWhenModelIsBareClaude() throws IOException {
        Target target = only(table("""
                model_list:
                  - model_name: c
                    litellm_params: {model: claude-3-5-sonnet-20241022, api_key: k}
                """, Map.of()), "c");

        assertThat(target.deployment().adapter()).isInstanceOfSatisfying(ResponsesBridgeAdapter.class,
                bridge -> assertThat(bridge.chatAdapter()).isInstanceOf(AnthropicAdapter.class));
        assertThat(Providers.supportedNames()).contains("anthropic");
        assertThat(Providers.byName("anthropic").apiKeyEnv()).containsExactly("ANTHROPIC_API_KEY");
        assertThat(Providers.byName("anthropic").apiBaseEnv()).containsExactly("ANTHROPIC_API_BASE",
                "ANTHROPIC_BASE_URL");
    }

    private RouteTable table(String yaml, Map<String, String> env) throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return RouteTable.build(ConfigLoader.load(file, env));
    }

    private static Target only(RouteTable table, String model) {
        ModelRoute route = table.resolve(model);
        assertThat(route).as("route for %s", model).isNotNull();
        assertThat(route.targets()).hasSize(1);
        return route.targets().get(0);
    }

    private static HttpHeaders authHeaders(Deployment deployment) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
        assertThat(deployment.adapter().auth().apply(request, Unpooled.EMPTY_BUFFER)).isTrue();
        return request.headers();
    }
}
