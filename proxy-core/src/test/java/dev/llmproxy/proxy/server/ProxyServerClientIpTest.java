package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.call.ProxyError;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code allowed_ips}, {@code use_x_forwarded_for} and {@code forwarded_allow_ips} over real sockets. */
class ProxyServerClientIpTest {
    private static final String MODELS = """
            model_list:
              - model_name: mock-gpt
                litellm_params:
                  model: openai/gpt-4o-mini
                  mock_response: "Hello there"
            """;

    @TempDir
    Path dir;

    @Test
    void shouldAnswer403InLiteLlmShapeWhenClientIsNotInAllowedIps() {
        try (ProxyFixture proxy = ProxyFixture.start(dir, MODELS + """
                general_settings:
                  allowed_ips: ["10.1.2.3"]
                """)) {
            HttpResponse<String> refused = proxy.chat("mock-gpt");

            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("\"message\":\"Access forbidden: IP address not allowed.\"",
                    "\"type\":\"auth_error\"");
            assertThat(proxy.awaitCalls(1).error()).isEqualTo(ProxyError.IP_NOT_ALLOWED);
            assertThat(proxy.get("/health/liveliness").statusCode()).as("public routes stay open").isEqualTo(200);
        }
    }

    @Test
    void shouldRefuseFilesBatchesAndKeptResponsesToAClientNotInAllowedIps() {
        try (ProxyFixture proxy = ProxyFixture.start(dir, MODELS + """
                general_settings:
                  allowed_ips: ["10.1.2.3"]
                """)) {
            String boundary = "b0undary";
            HttpResponse<String> upload = proxy.post("/v1/files", "--" + boundary + "\r\n"
                    + "Content-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--" + boundary + "\r\n"
                    + "Content-Disposition: form-data; name=\"file\"; filename=\"a.jsonl\"\r\n\r\n{}\r\n--"
                    + boundary + "--\r\n", "Content-Type", "multipart/form-data; boundary=" + boundary);

            assertThat(upload.statusCode()).isEqualTo(403);
            assertThat(upload.body()).contains("Access forbidden: IP address not allowed.");
            assertThat(proxy.get("/v1/files").statusCode()).isEqualTo(403);
            assertThat(proxy.get("/v1/batches").statusCode()).isEqualTo(403);
            assertThat(proxy.post("/v1/batches", "{\"input_file_id\":\"file-1\",\"endpoint\":\"/v1/chat/completions\","
                    + "\"completion_window\":\"24h\"}").statusCode()).isEqualTo(403);
            assertThat(proxy.delete("/v1/responses/resp_1").statusCode()).isEqualTo(403);
            assertThat(proxy.get("/v1/responses/resp_1").statusCode()).isEqualTo(403);
        }
    }

    @Test
    void shouldBelieveForwardedForFromLoopbackProxyWhenUseXForwardedForIsOn() {
        try (ProxyFixture proxy = ProxyFixture.start(dir, MODELS + """
                general_settings:
                  allowed_ips: ["10.1.2.0/24"]
                  use_x_forwarded_for: true
                """)) {
            assertThat(proxy.chat("mock-gpt", "X-Forwarded-For", "10.1.2.3").statusCode()).isEqualTo(200);
            assertThat(proxy.chat("mock-gpt", "X-Forwarded-For", "10.1.2.3, 10.9.9.9").statusCode())
                    .as("the rightmost untrusted hop is the client").isEqualTo(403);
            assertThat(proxy.chat("mock-gpt").statusCode()).as("the proxy itself is not allowed").isEqualTo(403);
        }
    }

    @Test
    void shouldIgnoreForwardedForWhenPeerIsNotInForwardedAllowIps() {
        try (ProxyFixture proxy = ProxyFixture.start(dir, MODELS + """
                general_settings:
                  allowed_ips: ["10.1.2.3"]
                  use_x_forwarded_for: true
                  forwarded_allow_ips: ["192.0.2.1"]
                """)) {
            assertThat(proxy.chat("mock-gpt", "X-Forwarded-For", "10.1.2.3").statusCode()).isEqualTo(403);
        }
    }
}
