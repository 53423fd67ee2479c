package dev.llmproxy.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockConnectProxy;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.proxy.server.ProxyFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upstream connections through an HTTP CONNECT proxy named by {@code HTTPS_PROXY}/{@code HTTP_PROXY}. */
class UpstreamForwardProxyTest {
    @TempDir
    Path dir;

    private MockConnectProxy tunnel;
    private MockProvider tlsMock;
    private MockProvider plainMock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        tunnel = MockConnectProxy.start();
        tlsMock = MockProvider.start(MockProviderConfig.builder().tls(true).build());
        plainMock = MockProvider.start(MockProviderConfig.defaults());
    }

    @AfterEach
    void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
        plainMock.close();
        tlsMock.close();
        tunnel.close();
    }

    @Test
    void shouldTunnelTlsRequestWhenHttpsProxyIsSet() {
        proxy = start(Map.of("HTTPS_PROXY", "http://127.0.0.1:" + tunnel.port()));

        HttpResponse<String> response = proxy.chat("tls");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"chat.completion\"");
        assertThat(tunnel.connectCount()).isEqualTo(1);
        assertThat(tunnel.connectTargets()).containsExactly("127.0.0.1:" + tlsMock.port());
    }

    @Test
    void shouldReuseTunnelWhenRequestsFollowEachOther() {
        proxy = start(Map.of("https_proxy", "http://127.0.0.1:" + tunnel.port()));

        for (int i = 0; i < 3; i++) {
            assertThat(proxy.chat("tls").statusCode()).isEqualTo(200);
        }

        assertThat(tunnel.connectCount()).isEqualTo(1);
    }

    @Test
    void shouldConnectDirectlyWhenHostIsInNoProxy() {
        proxy = start(Map.of("HTTPS_PROXY", "http://127.0.0.1:" + tunnel.port(), "NO_PROXY", "localhost,127.0.0.1"));

        HttpResponse<String> response = proxy.chat("tls");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(tunnel.connectCount()).isZero();
        assertThat(tlsMock.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void shouldNotTunnelPlainHttpWhenOnlyHttpsProxyIsSet() {
        proxy = start(Map.of("HTTPS_PROXY", "http://127.0.0.1:" + tunnel.port()));

        assertThat(proxy.chat("plain").statusCode()).isEqualTo(200);

        assertThat(tunnel.connectCount()).isZero();
    }

    @Test
    void shouldTunnelPlainHttpWhenHttpProxyIsSet() {
        proxy = start(Map.of("HTTP_PROXY", "http://127.0.0.1:" + tunnel.port()));

        assertThat(proxy.chat("plain").statusCode()).isEqualTo(200);

        assertThat(tunnel.connectTargets()).isEqualTo(List.of("127.0.0.1:" + plainMock.port()));
    }

    private ProxyFixture start(Map<String, String> env) {
        return ProxyFixture.builder(dir, """
                model_list:
                  - model_name: tls
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %s
                      api_key: sk-upstream-1
                      ssl_verify: false
                  - model_name: plain
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %s
                      api_key: sk-upstream-1
                """.formatted(tlsMock.baseUrl(), plainMock.baseUrl())).env(env).start();
    }
}
