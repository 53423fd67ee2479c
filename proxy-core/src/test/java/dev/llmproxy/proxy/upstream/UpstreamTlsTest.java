package dev.llmproxy.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.proxy.server.ProxyFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS providers and {@code ssl_verify}: off, a CA bundle, and the default trust store. */
class UpstreamTlsTest {
    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().tls(true).build());
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: insecure
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %1$s
                      api_key: sk-upstream-1
                      ssl_verify: false
                  - model_name: bundle
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %1$s
                      api_key: sk-upstream-1
                      ssl_verify: %2$s
                  - model_name: default-trust
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %1$s
                      api_key: sk-upstream-1
                """.formatted(mock.baseUrl(), mock.certificatePemPath()));
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldRelayOverTlsWhenVerificationIsOff() {
        HttpResponse<String> response = proxy.chat("insecure");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"chat.completion\"");
        assertThat(response.headers().firstValue("x-litellm-model-api-base")).hasValue(mock.baseUrl());
    }

    @Test
    void shouldRelayStreamOverTlsWhenVerificationIsOff() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", "{\"model\":\"insecure\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,\"mock_chunks\":3,"
                + "\"mock_chunk_interval_ms\":0}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
    }

    @Test
    void shouldRelayOverTlsWhenCertificateIsInConfiguredBundle() {
        HttpResponse<String> response = proxy.chat("bundle");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"chat.completion\"");
    }

    @Test
    void shouldAnswer502WhenCertificateIsNotTrusted() {
        HttpResponse<String> response = proxy.chat("default-trust");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("\"type\":\"api_connection_error\"").contains("TLS");
        assertThat(proxy.awaitCalls(1).status()).isEqualTo(502);
    }

    @Test
    void shouldReuseTlsConnectionWhenRequestsFollowEachOther() {
        for (int i = 0; i < 5; i++) {
            assertThat(proxy.chat("bundle").statusCode()).isEqualTo(200);
        }

        assertThat(mock.connectionsAccepted()).isEqualTo(1);
    }
}
