package dev.llmproxy.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.proxy.server.ProxyFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pooled upstream connections: a stale one is replaced transparently, and host names go through the resolver. */
class UpstreamConnectionReuseTest {
    private static final String ANSWER = "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";

    @TempDir
    Path dir;

    @Test
    void shouldRetryOnFreshConnectionWhenPooledConnectionWasClosedByProvider() throws Exception {
        // The raw upstream closes each connection when its second request arrives: the race every pool meets when
        // a provider's idle timeout fires just as the connection is reused.
        try (RawUpstream upstream = new RawUpstream("HTTP/1.1 200 OK\r\ncontent-type: application/json", ANSWER);
                ProxyFixture proxy = ProxyFixture.start(dir, """
                        model_list:
                          - model_name: flaky
                            litellm_params:
                              model: openai/flaky
                              api_base: http://127.0.0.1:%d/v1
                              api_key: sk-x
                        """.formatted(upstream.port()))) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> response = proxy.chat("flaky");
                assertThat(response.statusCode()).as("request %d", i).isEqualTo(200);
                assertThat(response.body()).isEqualTo(ANSWER);
            }
            assertThat(upstream.connections()).isEqualTo(3);
        }
    }

    @Test
    void shouldPassProviderHeadersButNotCookiesWhenRelaying() throws Exception {
        try (RawUpstream upstream = new RawUpstream("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                        + "x-ratelimit-remaining-requests: 42\r\nset-cookie: __cf_bm=secret; path=/", ANSWER);
                ProxyFixture proxy = ProxyFixture.start(dir, """
                        model_list:
                          - model_name: cookies
                            litellm_params:
                              model: openai/cookies
                              api_base: http://127.0.0.1:%d/v1
                              api_key: sk-x
                        """.formatted(upstream.port()))) {
            HttpResponse<String> response = proxy.chat("cookies");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("42");
            assertThat(response.headers().firstValue("set-cookie")).isEmpty();
        }
    }

    @Test
    void shouldResolveHostNamesWhenApiBaseNamesLocalhost() {
        try (MockProvider mock = MockProvider.start(MockProviderConfig.defaults());
                ProxyFixture proxy = ProxyFixture.start(dir, """
                        model_list:
                          - model_name: by-name
                            litellm_params:
                              model: openai/by-name
                              api_base: http://localhost:%d/v1
                              api_key: sk-x
                        """.formatted(mock.port()))) {
            HttpResponse<String> response = proxy.chat("by-name");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"object\":\"chat.completion\"");
        }
    }
}
