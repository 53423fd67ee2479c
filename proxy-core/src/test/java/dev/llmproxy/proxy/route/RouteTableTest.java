package dev.llmproxy.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.config.ProxyConfig;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.provider.Providers;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteTableTest {

    @TempDir
    Path dir;

    private RouteTable table(String yaml, Map<String, String> env) throws IOException {
        Path file = dir.resolve("x.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return RouteTable.build(ConfigLoader.load(file, env));
    }

    private String buildError(String yaml, Map<String, String> env) throws IOException {
        Path file = dir.resolve("x.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        ProxyConfig config = ConfigLoader.load(file, env);
        return assertThatThrownBy(() -> RouteTable.build(config))
                .isInstanceOf(ConfigException.class)
                .actual()
                .getMessage()
                .replace(file.toString(), "x.yaml");
    }

    private static Target only(RouteTable table, String model) {
        ModelRoute route = table.resolve(model);
        assertThat(route).as("route for %s", model).isNotNull();
        assertThat(route.targets()).hasSize(1);
        return route.targets().get(0);
    }

    @Test
    void shouldUseOpenAiDefaultsWhenOnlyModelIsGiven() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: gpt
                    litellm_params: {model: openai/gpt-4o}
                """, Map.of("OPENAI_API_KEY", "sk-env"));

        Target target = only(table, "gpt");
        Deployment deployment = target.deployment();
        assertThat(String.valueOf(deployment.baseUrl())).isEqualTo("https://api.openai.com/v1");
        assertThat(deployment.origin().hostHeader()).isEqualTo("api.openai.com");
        assertThat(target.requestPath(Endpoint.CHAT_COMPLETIONS, false)).isEqualTo("/v1/chat/completions");
        assertThat(target.requestPath(Endpoint.EMBEDDINGS, false)).isEqualTo("/v1/embeddings");
        assertThat(authHeader(deployment)).isEqualTo("authorization: Bearer sk-env");
        assertThat(target.upstreamModel()).isEqualTo("gpt-4o");
        assertThat(new String(target.upstreamModelJson(), StandardCharsets.UTF_8)).isEqualTo("\"gpt-4o\"");
        assertThat(deployment.timeoutNanos()).isEqualTo(Duration.ofSeconds(6000).toNanos());
    }

    @Test
    void shouldPreferConfiguredKeyAndBaseWhenBothConfigAndEnvironmentHaveThem() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: gpt
                    litellm_params: {model: openai/gpt-4o, api_key: sk-file, api_base: "http://10.0.0.1:8080/openai/"}
                """, Map.of("OPENAI_API_KEY", "sk-env", "OPENAI_BASE_URL", "https://elsewhere/v1"));

        Target target = only(table, "gpt");
        assertThat(String.valueOf(target.deployment().baseUrl())).isEqualTo("http://10.0.0.1:8080/openai");
        assertThat(target.deployment().origin().hostHeader()).isEqualTo("10.0.0.1:8080");
        assertThat(target.requestPath(Endpoint.COMPLETIONS, false)).isEqualTo("/openai/completions");
        assertThat(authHeader(target.deployment())).isEqualTo("authorization: Bearer sk-file");
    }

    @Test
    void shouldTakeBaseFromEnvironmentWhenProviderHasNoDefault() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: local
                    litellm_params: {model: lm_studio/qwen}
                """, Map.of("LM_STUDIO_API_BASE", "http://127.0.0.1:1234/v1"));

        Target target = only(table, "local");
        assertThat(String.valueOf(target.deployment().baseUrl())).isEqualTo("http://127.0.0.1:1234/v1");
        assertThat(authHeader(target.deployment())).isNull();
    }

    @Test
    void shouldFailNamingVariablesWhenProviderWithoutDefaultHasNoBase() throws IOException {
        String message = buildError("""
                model_list:
                  - model_name: local
                    litellm_params: {model: hosted_vllm/llama}
                """, Map.of());

        assertThat(message).isEqualTo("x.yaml:3: model_list[0].litellm_params.api_base: provider hosted_vllm has no "
                + "default URL; set api_base or HOSTED_VLLM_API_BASE");
    }

    @Test
    void shouldRejectApiBaseWhenItIsNotHttp() throws IOException {
        String message = buildError("""
                model_list:
                  - model_name: a
                    litellm_params: {model: openai/x, api_base: "ftp://host/v1"}
                """, Map.of());

        assertThat(message).isEqualTo("x.yaml:3: model_list[0].litellm_params.api_base: expected an http:// or "
                + "https:// URL with a host, got 'ftp://host/v1'");
    }

    @Test
    void shouldBuildAzureDeploymentUrlWhenProviderIsAzure() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: gpt
                    litellm_params:
                      model: azure/my-gpt4o
                      api_base: https://res.openai.azure.com/
                      api_version: "2024-10-21"
                      api_key: os.environ/AZURE_API_KEY
                """, Map.of("AZURE_API_KEY", "az-key"));

        Target target = only(table, "gpt");
        assertThat(String.valueOf(target.deployment().baseUrl())).isEqualTo("https://res.openai.azure.com");
        assertThat(target.requestPath(Endpoint.CHAT_COMPLETIONS, false))
                .isEqualTo("/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21");
        assertThat(target.requestPath(Endpoint.EMBEDDINGS, false))
                .isEqualTo("/openai/deployments/my-gpt4o/embeddings?api-version=2024-10-21");
        assertThat(authHeader(target.deployment())).isEqualTo("api-key: az-key");
    }

    @Test
    void shouldTakeAzureBaseAndVersionFromEnvironmentWhenConfigHasNone() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: gpt
                    litellm_params: {model: azure/dep}
                """, Map.of("AZURE_API_BASE", "https://r.openai.azure.com", "AZURE_API_VERSION", "2025-01-01"));

        assertThat(only(table, "gpt").requestPath(Endpoint.CHAT_COMPLETIONS, false))
                .isEqualTo("/openai/deployments/dep/chat/completions?api-version=2025-01-01");
    }

    @Test
    void shouldAppendV1WhenProviderIsOllama() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: a
                    litellm_params: {model: ollama_chat/llama3}
                  - model_name: b
                    litellm_params: {model: ollama/llama3, api_base: "http://ollama:11434/v1"}
                """, Map.of());

        assertThat(String.valueOf(only(table, "a").deployment().baseUrl())).isEqualTo("http://localhost:11434/v1");
        assertThat(only(table, "b").requestPath(Endpoint.CHAT_COMPLETIONS, false)).isEqualTo("/v1/chat/completions");
    }

    @Test
    void shouldUseProviderDefaultsWhenProvidersAreOpenAiCompatible() {
        assertThat(Providers.byName("openrouter").defaultApiBase()).isEqualTo("https://openrouter.ai/api/v1");
        assertThat(Providers.byName("groq").defaultApiBase()).isEqualTo("https://api.groq.com/openai/v1");
        assertThat(Providers.byName("github").defaultApiBase()).isEqualTo("https://models.inference.ai.azure.com");
        assertThat(Providers.byName("zai").apiKeyEnv()).containsExactly("ZAI_API_KEY");
        assertThat(Providers.byName("together_ai").apiKeyEnv()).startsWith("TOGETHER_API_KEY");
        assertThat(Providers.byName("sagemaker").supported()).isFalse();
        assertThat(Providers.byName("nope")).isNull();
        assertThat(Providers.supportedNames()).contains("openai", "azure", "lm_studio", "perplexity", "nvidia_nim",
                "gemini", "vertex_ai", "bedrock", "github_copilot").doesNotContain("sagemaker");
    }

    @Test
    void shouldLoadUnsupportedProviderWithoutOriginWhenConfigNamesIt() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: g
                    litellm_params: {model: sagemaker/anthropic.claude-v2}
                """, Map.of());

        Target target = only(table, "g");
        assertThat(target.deployment().provider().supported()).isFalse();
        assertThat(target.deployment().origin()).isNull();
        assertThatThrownBy(() -> target.requestPath(Endpoint.CHAT_COMPLETIONS, false))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldNameSupportedProvidersWhenPrefixIsUnknown() throws IOException {
        String message = buildError("""
                model_list:
                  - model_name: a
                    litellm_params: {model: acme/model-1}
                """, Map.of());

        assertThat(message).startsWith("x.yaml:3: model_list[0].litellm_params.model: unknown provider 'acme' "
                + "(supported: openai, azure, openrouter, lm_studio,");
    }

    @Test
    void shouldInferProviderWhenModelIsBare() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: a
                    litellm_params: {model: gpt-4o-mini}
                  - model_name: b
                    litellm_params: {model: claude-3-5-sonnet-20241022}
                  - model_name: c
                    litellm_params: {model: text-embedding-3-small}
                """, Map.of());

        assertThat(only(table, "a").deployment().provider().name()).isEqualTo("openai");
        assertThat(only(table, "a").upstreamModel()).isEqualTo("gpt-4o-mini");
        assertThat(only(table, "b").deployment().provider().name()).isEqualTo("anthropic");
        assertThat(only(table, "c").deployment().provider().name()).isEqualTo("openai");
        assertThat(Providers.infer("gemini-2.0-flash").name()).isEqualTo("vertex_ai");
        assertThat(Providers.infer("o3-mini").name()).isEqualTo("openai");
    }

    @Test
    void shouldFailWhenBareModelCannotBeInferred() throws IOException {
        String message = buildError("""
                model_list:
                  - model_name: a
                    litellm_params: {model: mystery-model}
                """, Map.of());

        assertThat(message).startsWith("x.yaml:3: model_list[0].litellm_params.model: cannot infer the provider of "
                + "'mystery-model'; write it as '<provider>/mystery-model' (supported: openai,");
    }

    @Test
    void shouldApplyTimeoutPrecedenceWhenSeveralLevelsSetIt() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: own
                    litellm_params: {model: openai/a, timeout: 5}
                  - model_name: router
                    litellm_params: {model: openai/b}
                  - model_name: stream
                    litellm_params: {model: openai/c, stream_timeout: 7}
                router_settings: {timeout: 20, stream_timeout: 25}
                litellm_settings: {request_timeout: 99}
                """, Map.of());

        Deployment own = only(table, "own").deployment();
        assertThat(own.timeoutNanos()).isEqualTo(Duration.ofSeconds(5).toNanos());
        assertThat(own.streamTimeoutNanos()).isEqualTo(Duration.ofSeconds(5).toNanos());
        Deployment router = only(table, "router").deployment();
        assertThat(router.timeoutNanos()).isEqualTo(Duration.ofSeconds(20).toNanos());
        assertThat(router.streamTimeoutNanos()).isEqualTo(Duration.ofSeconds(25).toNanos());
        Deployment stream = only(table, "stream").deployment();
        assertThat(stream.timeoutNanos()).isEqualTo(Duration.ofSeconds(20).toNanos());
        assertThat(stream.streamTimeoutNanos()).isEqualTo(Duration.ofSeconds(7).toNanos());
    }

    @Test
    void shouldPickByWeightWhenGroupSetsWeights() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: g
                    litellm_params: {model: openai/a, weight: 1}
                  - model_name: g
                    litellm_params: {model: openai/b, weight: 3}
                  - model_name: g
                    litellm_params: {model: openai/c}
                """, Map.of());

        ModelRoute route = table.resolve("g");
        assertThat(route.targets()).hasSize(3);
        SplittableRandom random = new SplittableRandom(42);
        int a = 0;
        int b = 0;
        int c = 0;
        for (int i = 0; i < 10_000; i++) {
            switch (route.pick(random).upstreamModel()) {
                case "a" -> a++;
                case "b" -> b++;
                default -> c++;
            }
        }
        assertThat(c).isZero();
        assertThat(b).isBetween(7_200, 7_800);
        assertThat(a + b).isEqualTo(10_000);
    }

    @Test
    void shouldWeighByRpmWhenFirstDeploymentSetsRpm() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: g
                    litellm_params: {model: openai/a, rpm: 10, tpm: 1}
                  - model_name: g
                    litellm_params: {model: openai/b, rpm: 30, weight: 100}
                  - model_name: u
                    litellm_params: {model: openai/a, tpm: 1}
                  - model_name: u
                    litellm_params: {model: openai/b}
                """, Map.of());

        assertThat(RouteTable.weights(table.resolve("g").targets().stream().map(Target::deployment).toList()))
                .containsExactly(10, 30);
        assertThat(RouteTable.weights(table.resolve("u").targets().stream().map(Target::deployment).toList()))
                .containsExactly(1, 0);
    }

    @Test
    void shouldPickUniformlyWhenNoWeightIsSet() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: g
                    litellm_params: {model: openai/a}
                  - model_name: g
                    litellm_params: {model: openai/b}
                """, Map.of());

        ModelRoute route = table.resolve("g");
        SplittableRandom random = new SplittableRandom(7);
        int a = 0;
        for (int i = 0; i < 10_000; i++) {
            if (route.pick(random).upstreamModel().equals("a")) {
                a++;
            }
        }
        assertThat(a).isBetween(4_700, 5_300);
    }

    @Test
    void shouldReturnPrecomputedRouteWhenNameIsExact() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: g
                    litellm_params: {model: openai/a}
                """, Map.of());

        assertThat(table.resolve("g")).isSameAs(table.resolve("g"));
        assertThat(table.resolve("g").pick(new SplittableRandom(1))).isSameAs(table.resolve("g").targets().get(0));
        assertThat(table.resolve("missing")).isNull();
    }

    @Test
    void shouldResolveAliasesWhenModelGroupAliasIsSet() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: real
                    litellm_params: {model: openai/a}
                  - model_name: shadowed
                    litellm_params: {model: openai/b}
                  - model_name: "openai/*"
                    litellm_params: {model: "openai/*"}
                router_settings:
                  model_group_alias:
                    nice: real
                    secret: {model: real, hidden: true}
                    shadowed: real
                    to-wildcard: openai/gpt-4o
                """, Map.of());

        assertThat(table.resolve("nice").modelGroup()).isEqualTo("real");
        assertThat(table.resolve("secret").modelGroup()).isEqualTo("real");
        assertThat(table.resolve("shadowed").targets().get(0).upstreamModel()).isEqualTo("a");
        assertThat(only(table, "to-wildcard").upstreamModel()).isEqualTo("gpt-4o");
        assertThat(table.publicModels()).containsExactly("real", "shadowed", "nice", "to-wildcard");
    }

    @Test
    void shouldFillUpstreamModelWhenProviderWildcardMatches() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: "openai/*"
                    litellm_params: {model: "openai/*"}
                  - model_name: "openai/gpt-4o"
                    litellm_params: {model: openai/pinned}
                  - model_name: "openai/gpt-*"
                    litellm_params: {model: "openai/gpt-*", api_base: "http://gpt-host/v1"}
                """, Map.of());

        Target target = only(table, "openai/o3-mini");
        assertThat(target.upstreamModel()).isEqualTo("o3-mini");
        assertThat(new String(target.upstreamModelJson(), StandardCharsets.UTF_8)).isEqualTo("\"o3-mini\"");
        assertThat(table.resolve("openai/o3-mini").modelGroup()).isEqualTo("openai/o3-mini");
        assertThat(only(table, "openai/gpt-4o").upstreamModel()).isEqualTo("pinned");
        Target specific = only(table, "openai/gpt-4.1");
        assertThat(specific.upstreamModel()).isEqualTo("gpt-4.1");
        assertThat(specific.deployment().origin().host()).isEqualTo("gpt-host");
        assertThat(table.resolve("anthropic/claude")).isNull();
        assertThat(table.publicModels()).containsExactly("openai/gpt-4o");
    }

    @Test
    void shouldRouteEverythingWhenCatchAllWildcardIsSet() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: "*"
                    litellm_params: {model: "openai/*"}
                """, Map.of());

        Target target = only(table, "gpt-4o");
        assertThat(target.upstreamModel()).isEqualTo("gpt-4o");
        assertThat(target.deployment().provider().name()).isEqualTo("openai");
        assertThat(only(table, "any/thing").upstreamModel()).isEqualTo("any/thing");
    }

    @Test
    void shouldPickProviderPerRequestWhenModelIsBareStar() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: "*"
                    litellm_params: {model: "*"}
                """, Map.of("GROQ_API_KEY", "gsk"));

        Target groq = only(table, "groq/llama-3.1-8b");
        assertThat(groq.deployment().provider().name()).isEqualTo("groq");
        assertThat(groq.upstreamModel()).isEqualTo("llama-3.1-8b");
        assertThat(authHeader(groq.deployment())).isEqualTo("authorization: Bearer gsk");
        assertThat(only(table, "gpt-4o").deployment().provider().name()).isEqualTo("openai");
        assertThat(only(table, "sagemaker/amazon.nova-pro").deployment().provider().supported()).isFalse();
        assertThat(table.resolve("lm_studio/x")).isNull();
        assertThat(table.resolve("mystery")).isNull();
        assertThat(table.deployments()).hasSize(1);
    }

    @Test
    void shouldRejectStarInModelWhenModelNameHasNone() throws IOException {
        String message = buildError("""
                model_list:
                  - model_name: plain
                    litellm_params: {model: "openai/*"}
                """, Map.of());

        assertThat(message).isEqualTo("x.yaml:3: model_list[0].litellm_params.model: has a '*' but model_name "
                + "'plain' has none (expected a wildcard model_name such as '*' or 'openai/*')");
    }

    @Test
    void shouldResolveDeploymentIdWhenRequestNamesIt() throws IOException {
        RouteTable table = table("""
                model_list:
                  - model_name: g
                    litellm_params: {model: openai/a}
                    model_info: {id: dep-a}
                  - model_name: g
                    litellm_params: {model: openai/b}
                """, Map.of());

        assertThat(table.deploymentFor("dep-a").upstreamModel()).isEqualTo("a");
        assertThat(only(table, "dep-a").upstreamModel()).isEqualTo("a");
        assertThat(table.resolve("dep-a").modelGroup()).isEqualTo("g");
        String hashed = table.deployments().get(1).id();
        assertThat(table.deploymentFor(hashed).upstreamModel()).isEqualTo("b");
    }

    @Test
    void shouldBuildSeedDeploymentWhenConfigIsTheSeedUsers() throws IOException, URISyntaxException {
        Path seed = Path.of(Objects.requireNonNull(getClass().getResource("/config/seed-config.yaml")).toURI());
        RouteTable table = RouteTable.build(ConfigLoader.load(seed, Map.of(
                "OPENROUTER_API_KEY", "sk-or", "GEMINI_API_KEY", "g", "GITHUB_TOKEN", "ghp",
                "LITELLM_MASTER_KEY", "sk-m", "DATABASE_URL", "postgresql://db/llm")));

        Target free = only(table, "deepseek-r1-free");
        assertThat(String.valueOf(free.deployment().baseUrl())).isEqualTo("https://openrouter.ai/api/v1");
        assertThat(free.upstreamModel()).isEqualTo("deepseek/deepseek-r1:free");
        assertThat(authHeader(free.deployment())).isEqualTo("authorization: Bearer sk-or");
        assertThat(only(table, "gpt-4o").deployment().origin().host()).isEqualTo("models.inference.ai.azure.com");
        Target fast = only(table, "fast");
        assertThat(fast.deployment().provider().name()).isEqualTo("gemini");
        assertThat(String.valueOf(fast.deployment().baseUrl())).isEqualTo("https://generativelanguage.googleapis.com");
        assertThat(fast.requestPath(Endpoint.CHAT_COMPLETIONS, true))
                .isEqualTo("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
        assertThat(only(table, "copilot-gpt-4.1").deployment().provider().name()).isEqualTo("github_copilot");
        Target local = only(table, "local-qwen");
        assertThat(local.requestPath(Endpoint.CHAT_COMPLETIONS, false)).isEqualTo("/v1/chat/completions");
        assertThat(local.deployment().origin().hostHeader()).isEqualTo("host.docker.internal:1234");
        assertThat(local.deployment().timeoutNanos()).isEqualTo(Duration.ofSeconds(120).toNanos());
        assertThat(table.publicModels()).hasSize(17).contains("gpt-4o").doesNotContain("fast");
    }

    /** The credentials header the deployment's adapter adds, as {@code name: value}, or null when it adds none. */
    private static @Nullable String authHeader(Deployment deployment) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
        assertThat(deployment.adapter().auth().apply(request, Unpooled.EMPTY_BUFFER)).isTrue();
        var headers = request.headers();
        return headers.isEmpty() ? null : headers.names().iterator().next() + ": "
                + headers.get(headers.names().iterator().next());
    }
}
