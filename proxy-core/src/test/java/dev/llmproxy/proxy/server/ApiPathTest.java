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
        "/v1/messages/count_tokens?beta=true, MESSAGES_COUNT_TOKENS",
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
    void shouldMapUploadsWithAndWithoutV1AndInAzurePaths() {
        assertThat(ApiPath.of("/v1/audio/transcriptions").endpoint()).isEqualTo(Endpoint.AUDIO_TRANSCRIPTIONS);
        assertThat(ApiPath.of("/audio/transcriptions").endpoint()).isEqualTo(Endpoint.AUDIO_TRANSCRIPTIONS);
        assertThat(ApiPath.of("/v1/audio/translations").endpoint()).isEqualTo(Endpoint.AUDIO_TRANSLATIONS);
        assertThat(ApiPath.of("/images/edits").endpoint()).isEqualTo(Endpoint.IMAGES_EDITS);
        assertThat(ApiPath.of("/v1/images/variations/").endpoint()).isEqualTo(Endpoint.IMAGES_VARIATIONS);
        ApiPath azure = ApiPath.of("/openai/deployments/whisper/audio/transcriptions?api-version=2024-06-01");
        assertThat(azure.endpoint()).isEqualTo(Endpoint.AUDIO_TRANSCRIPTIONS);
        assertThat(azure.pathModel()).isEqualTo("whisper");
    }

    @Test
    void shouldStreamTheBodiesOfUploadsOnly() {
        assertThat(ApiPath.streamsBody(head(HttpMethod.POST, "/v1/audio/transcriptions"))).isTrue();
        assertThat(ApiPath.streamsBody(head(HttpMethod.POST, "/openai/deployments/w/audio/translations"))).isTrue();
        assertThat(ApiPath.streamsBody(head(HttpMethod.POST, "/v1/images/edits?x=1"))).isTrue();
        assertThat(ApiPath.streamsBody(head(HttpMethod.POST, "/v1/chat/completions"))).isFalse();
        assertThat(ApiPath.streamsBody(head(HttpMethod.POST, "/v1/audio/speech"))).isFalse();
        assertThat(ApiPath.streamsBody(head(HttpMethod.POST, "/v1/images/generations"))).isFalse();
        assertThat(ApiPath.streamsBody(head(HttpMethod.GET, "/v1/audio/transcriptions"))).isFalse();
    }

    @Test
    void shouldStreamTheBodiesOfFileUploadsOnly() {
        assertThat(ApiPath.streamsBody(head(HttpMethod.POST, "/v1/files"))).isTrue();
        assertThat(ApiPath.streamsBody(head(HttpMethod.POST, "/files/?purpose=batch"))).isTrue();
        assertThat(ApiPath.streamsBody(head(HttpMethod.POST, "http://proxy:4000/v1/files"))).isTrue();
        assertThat(ApiPath.streamsBody(head(HttpMethod.GET, "/v1/files"))).isFalse();
        assertThat(ApiPath.streamsBody(head(HttpMethod.POST, "/v1/files/file-abc/content"))).isFalse();
        assertThat(ApiPath.streamsBody(head(HttpMethod.POST, "/v1/batches"))).isFalse();
        assertThat(ApiPath.streamsBody(head(HttpMethod.POST, "/v1/chat/completions?files=1"))).isFalse();
    }

    private static io.netty.handler.codec.http.HttpRequest head(HttpMethod method, String uri) {
        return new io.netty.handler.codec.http.DefaultHttpRequest(
                io.netty.handler.codec.http.HttpVersion.HTTP_1_1, method, uri);
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
    void shouldMapAResponsesIdTakingItWholeSlashesAndAll() {
        ApiPath plain = ApiPath.of("/v1/responses/resp_abc?include=x");
        ApiPath slashed = ApiPath.of("/responses/resp_ab/c+d==");
        ApiPath encoded = ApiPath.of("/v1/responses/resp_ab%2Fc%2Bd%3D%3D/input_items?limit=2");

        assertThat(plain).isEqualTo(new ApiPath(Kind.RESPONSE, Endpoint.RESPONSES, "resp_abc"));
        assertThat(slashed).isEqualTo(new ApiPath(Kind.RESPONSE, Endpoint.RESPONSES, "resp_ab/c+d=="));
        assertThat(encoded).isEqualTo(new ApiPath(Kind.RESPONSE_INPUT_ITEMS, Endpoint.RESPONSES, "resp_ab/c+d=="));
        assertThat(ApiPath.of("/v1/responses/resp_abc/cancel").kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(ApiPath.of("/v1/responses/").kind()).isEqualTo(Kind.MODEL_CALL);
    }

    @Test
    void shouldAllowGetAndDeleteOnAResponseAndGetOnItsInputItems() {
        assertThat(Kind.RESPONSE.allows(HttpMethod.GET)).isTrue();
        assertThat(Kind.RESPONSE.allows(HttpMethod.DELETE)).isTrue();
        assertThat(Kind.RESPONSE.allows(HttpMethod.POST)).isFalse();
        assertThat(Kind.RESPONSE.allowHeader()).isEqualTo("GET, DELETE");
        assertThat(Kind.RESPONSE_INPUT_ITEMS.allows(HttpMethod.DELETE)).isFalse();
        assertThat(Kind.MODEL_CALL.allows(HttpMethod.POST)).isTrue();
        assertThat(Kind.MODEL_CALL.allowHeader()).isEqualTo("POST");
    }

    @Test
    void shouldRouteAbsoluteFormTargetLikeItsPath() {
        assertThat(ApiPath.of("http://127.0.0.1:4000/v1/chat/completions").endpoint())
                .isEqualTo(Endpoint.CHAT_COMPLETIONS);
    }
}
