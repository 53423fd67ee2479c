package dev.llmproxy.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

class MockRouteTest {

    @Test
    void shouldRouteWithAndWithoutV1PrefixWhenPathIsOpenAi() {
        assertThat(MockRoute.of(HttpMethod.POST, "/v1/chat/completions").endpoint())
                .isEqualTo(MockRoute.Endpoint.CHAT);
        assertThat(MockRoute.of(HttpMethod.POST, "/chat/completions/").endpoint()).isEqualTo(MockRoute.Endpoint.CHAT);
        assertThat(MockRoute.of(HttpMethod.POST, "/completions?x=1").endpoint())
                .isEqualTo(MockRoute.Endpoint.COMPLETIONS);
        assertThat(MockRoute.of(HttpMethod.POST, "/v1/embeddings").endpoint()).isEqualTo(MockRoute.Endpoint.EMBEDDINGS);
        assertThat(MockRoute.of(HttpMethod.GET, "/v1/models").endpoint()).isEqualTo(MockRoute.Endpoint.MODELS);
        assertThat(MockRoute.of(HttpMethod.GET, "/models/gpt-4o")).isEqualTo(
                new MockRoute(MockRoute.Endpoint.MODEL, "gpt-4o"));
    }

    @Test
    void shouldTakeDeploymentNameWhenPathIsAzureStyle() {
        assertThat(MockRoute.of(HttpMethod.POST, "/openai/deployments/dep-1/embeddings?api-version=2024-10-21"))
                .isEqualTo(new MockRoute(MockRoute.Endpoint.EMBEDDINGS, "dep-1"));
        assertThat(MockRoute.of(HttpMethod.POST, "/openai/deployments/dep-1/chat/completions"))
                .isEqualTo(new MockRoute(MockRoute.Endpoint.CHAT, "dep-1"));
    }

    @Test
    void shouldNotFindWhenMethodOrPathIsWrong() {
        assertThat(MockRoute.of(HttpMethod.GET, "/v1/chat/completions").endpoint())
                .isEqualTo(MockRoute.Endpoint.NOT_FOUND);
        assertThat(MockRoute.of(HttpMethod.POST, "/v1/models").endpoint()).isEqualTo(MockRoute.Endpoint.NOT_FOUND);
        assertThat(MockRoute.of(HttpMethod.POST, "/v2/chat/completions").endpoint())
                .isEqualTo(MockRoute.Endpoint.NOT_FOUND);
        assertThat(MockRoute.of(HttpMethod.POST, "/openai/deployments/x").endpoint())
                .isEqualTo(MockRoute.Endpoint.NOT_FOUND);
        assertThat(MockRoute.of(HttpMethod.GET, "/v1/models/").endpoint()).isEqualTo(MockRoute.Endpoint.MODELS);
    }
}
