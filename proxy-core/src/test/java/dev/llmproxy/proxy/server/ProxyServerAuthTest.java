package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.provider.Endpoint;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The master key guarding model calls and the model list, and the health probes that need no key. */
class ProxyServerAuthTest {
    private static final String MASTER_KEY = "sk-master-1234";

    @TempDir
    Path dir;

    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: mock-gpt
                    litellm_params:
                      model: openai/gpt-4o-mini
                      mock_response: "Hello there"
                general_settings:
                  master_key: %s
                """.formatted(MASTER_KEY));
    }

    @AfterEach
    void tearDown() {
        proxy.close();
    }

    @Test
    void shouldAnswer401AuthErrorWhenNoKeyIsPresented() {
        HttpResponse<String> response = proxy.chat("mock-gpt");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("\"type\":\"auth_error\"").contains("No api key passed in");
        CallRecord record = proxy.awaitCalls(1);
        assertThat(record.status()).isEqualTo(401);
        assertThat(record.error()).isEqualTo(ProxyError.MISSING_KEY);
        assertThat(record.endpoint()).isEqualTo(Endpoint.CHAT_COMPLETIONS);
        assertThat(record.principal()).isNull();
        assertThat(record.attempts()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Authorization", "x-api-key", "api-key", "x-litellm-api-key"})
    void shouldAnswer401WithoutEchoingTheKeyWhenKeyIsWrong(String header) {
        String wrongKey = "sk-wrong-key-98765";
        String value = header.equals("Authorization") ? "Bearer " + wrongKey : wrongKey;

        HttpResponse<String> response = proxy.chat("mock-gpt", header, value);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("\"type\":\"auth_error\"").doesNotContain(wrongKey);
        assertThat(response.headers().map().toString()).doesNotContain(wrongKey);
    }

    @ParameterizedTest
    @CsvSource({
        "Authorization, Bearer sk-master-1234",
        "Authorization, bearer sk-master-1234",
        "x-api-key, sk-master-1234",
        "api-key, sk-master-1234",
        "x-litellm-api-key, sk-master-1234"})
    void shouldAcceptMasterKeyWhenPresentedInAnySupportedHeader(String header, String value) {
        HttpResponse<String> response = proxy.chat("mock-gpt", header, value);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("Hello there");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/health/liveliness", "/health/readiness"})
    void shouldAnswerHealthProbesWhenNoKeyIsPresented(String path) {
        assertThat(proxy.get(path).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRequireKeyWhenListingModels() {
        assertThat(proxy.get("/v1/models").statusCode()).isEqualTo(401);
        assertThat(proxy.get("/v1/models/mock-gpt").statusCode()).isEqualTo(401);

        HttpResponse<String> response = proxy.get("/v1/models", "Authorization", "Bearer " + MASTER_KEY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"mock-gpt\"");
    }
}
