package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.server.ApiPath.Kind;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiPathTest {

    @ParameterizedTest
    @CsvSource({
        "/v1/chat/completions, CHAT_COMPLETIONS",
        "/chat/completions, CHAT_COMPLETIONS",
        "/v1/chat/completions/, CHAT_COMPLETIONS",
        "/v1/chat/completions?foo=bar, CHAT_COMPLETIONS",
        "/chat/completions/?a=1&b=2, CHAT_COMPLETIONS",
        "/v1/completions, COMPLETIONS",
        "/completions, COMPLETIONS",
        "/v1/embeddings, EMBEDDINGS",
        "/embeddings?x, EMBEDDINGS",
        "/v1/messages, MESSAGES",
        "/v1/messages?beta=true, MESSAGES",
        "/v1/responses, RESPONSES",
        "/responses/, RESPONSES",
        "/v1/audio/speech, AUDIO_SPEECH",
        "/audio/speech, AUDIO_SPEECH",
        "/v1/images/generations, IMAGE_GENERATIONS",
        "/images/generations, IMAGE_GENERATIONS",
        "/v1/moderations, MODERATIONS",
        "/moderations, MODERATIONS",
        "/v1/rerank, RERANK",
        "/rerank, RERANK",
        "/v2/rerank, RERANK"})
    void shouldMapToModelCallWhenPathIsAnApiEndpoint(String uri, Endpoint endpoint) {
        ApiPath target = ApiPath.of(uri);

        assertThat(target.kind()).isEqualTo(Kind.MODEL_CALL);
        assertThat(target.endpoint()).isEqualTo(endpoint);
        assertThat(target.pathModel()).isNull();
    }

    @ParameterizedTest
    @CsvSource({
        "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21, CHAT_COMPLETIONS, gpt-4o",
        "/v1/openai/deployments/gpt-4o/chat/completions, CHAT_COMPLETIONS, gpt-4o",
        "/openai/deployments/my-dep/completions, COMPLETIONS, my-dep",
        "/openai/deployments/emb/embeddings/, EMBEDDINGS, emb",
        "/engines/text-davinci/completions, COMPLETIONS, text-davinci",
        "/v1/engines/e/embeddings, EMBEDDINGS, e",
        "/openai/deployments/openai%2Fgpt-4o/chat/completions, CHAT_COMPLETIONS, openai/gpt-4o",
        "/openai/deployments/a+b/chat/completions, CHAT_COMPLETIONS, a+b",
        "/openai/deployments/a%2Bb%20c/chat/completions, CHAT_COMPLETIONS, a+b c",
        "/openai/deployments/chat/completions, COMPLETIONS, chat",
        "/openai/deployments/tts/audio/speech?api-version=2025-03-01-preview, AUDIO_SPEECH, tts",
        "/openai/deployments/dall-e-3/images/generations, IMAGE_GENERATIONS, dall-e-3"})
    void shouldTakeModelFromPathWhenPathIsAzureStyle(String uri, Endpoint endpoint, String model) {
        ApiPath target = ApiPath.of(uri);

        assertThat(target.kind()).isEqualTo(Kind.MODEL_CALL);
        assertThat(target.endpoint()).isEqualTo(endpoint);
        assertThat(target.pathModel()).isEqualTo(model);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/metrics", "/metrics/", "/metrics?name[]=x"})
    void shouldMapToMetricsWhenPathIsMetrics(String uri) {
        assertThat(ApiPath.of(uri).kind()).isEqualTo(Kind.METRICS);
        assertThat(Kind.METRICS.method()).isEqualTo(HttpMethod.GET);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/models", "/models", "/v1/models/", "/v1/models?limit=5"})
    void shouldMapToModelListWhenPathIsModels(String uri) {
        assertThat(ApiPath.of(uri).kind()).isEqualTo(Kind.MODELS);
    }

    @ParameterizedTest
    @CsvSource({
        "/v1/models/gpt-4o, gpt-4o",
        "/models/gpt-4o/, gpt-4o",
        "/v1/models/openai%2Fgpt-4o, openai/gpt-4o",
        "/v1/models/openai/gpt-4o, openai/gpt-4o"})
    void shouldMapToModelInfoWhenPathNamesAModel(String uri, String model) {
        ApiPath target = ApiPath.of(uri);

        assertThat(target.kind()).isEqualTo(Kind.MODEL_INFO);
        assertThat(target.pathModel()).isEqualTo(model);
    }

    @Test
    void shouldMapHealthProbesWithoutAuthenticationWhenPathIsHealth() {
        assertThat(ApiPath.of("/health/liveliness").kind()).isEqualTo(Kind.LIVENESS);
        assertThat(ApiPath.of("/health/liveness").kind()).isEqualTo(Kind.LIVENESS);
        assertThat(ApiPath.of("/health/readiness?x=1").kind()).isEqualTo(Kind.READINESS);
        assertThat(Kind.LIVENESS.isAuthenticated()).isFalse();
        assertThat(Kind.READINESS.isAuthenticated()).isFalse();
        assertThat(Kind.MODELS.isAuthenticated()).isTrue();
        assertThat(Kind.MODEL_INFO.isAuthenticated()).isTrue();
        assertThat(Kind.MODEL_CALL.isAuthenticated()).isTrue();
    }

    @Test
    void shouldMapHealthWithAuthenticationWhenPathIsTheDeploymentReport() {
        assertThat(ApiPath.of("/health").kind()).isEqualTo(Kind.HEALTH);
        assertThat(ApiPath.of("/health/?model=gpt-4o").kind()).isEqualTo(Kind.HEALTH);
        assertThat(Kind.HEALTH.isAuthenticated()).isTrue();
        assertThat(Kind.HEALTH.method()).isEqualTo(HttpMethod.GET);
    }

    @Test
    void shouldExpectPostForModelCallsAndGetOtherwiseWhenMethodIsChecked() {
        assertThat(Kind.MODEL_CALL.method()).isEqualTo(HttpMethod.POST);
        assertThat(Kind.MODELS.method()).isEqualTo(HttpMethod.GET);
        assertThat(Kind.LIVENESS.method()).isEqualTo(HttpMethod.GET);
        assertThat(Kind.NOT_FOUND.method()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/", "", "/v1", "/v1/chat", "/v2/chat/completions", "/v1/chat/completions/extra", "/openai/deployments/",
        "/engines/x/other", "/healthz", "/v1/chat/completionsX"})
    void shouldMapToNotFoundWhenPathIsUnknown(String uri) {
        assertThat(ApiPath.of(uri).kind()).isEqualTo(Kind.NOT_FOUND);
    }

    @ParameterizedTest
    @CsvSource({
        "http://gateway.example/v1/chat/completions, /v1/chat/completions",
        "HTTPS://gateway.example:4000/v1/models?x=1, /v1/models?x=1",
        "http://gateway.example, /",
        "http://gateway.example?x=1, /?x=1",
        "/v1/embeddings, /v1/embeddings",
        "*, *"})
    void shouldTakeOriginFormWhenTargetIsAbsolute(String target, String originForm) {
        assertThat(ApiPath.originForm(target)).isEqualTo(originForm);
    }

    @Test
    void shouldRouteAbsoluteFormTargetLikeItsPath() {
        assertThat(ApiPath.of("http://127.0.0.1:4000/v1/chat/completions").endpoint())
                .isEqualTo(Endpoint.CHAT_COMPLETIONS);
    }
}
