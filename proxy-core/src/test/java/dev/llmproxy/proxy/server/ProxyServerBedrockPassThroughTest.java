package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.BedrockExchanges;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.provider.Endpoint;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LiteLLM's {@code /bedrock/*} provider route end to end over real sockets: the client's Bedrock request held whole,
 * signed with SigV4 with the first Bedrock deployment's credentials (the mock recomputes the signature, and refuses a
 * wrong one with 403), and the answer, binary event streams included, relayed as it arrives.
 */
class ProxyServerBedrockPassThroughTest {
    private static final String MASTER_KEY = "sk-master";
    private static final String CONVERSE = "/bedrock/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse";
    /** {@code max_request_size_mb: 0.01}. */
    private static final int MAX_REQUEST_BYTES = (int) (0.01 * 1024 * 1024);

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).streamChunkIntervalMillis(0)
                .streamFirstChunkDelayMillis(0).build());
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: claude
                    litellm_params:
                      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0
                      api_base: %1$s
                      aws_access_key_id: %2$s
                      aws_secret_access_key: %3$s
                      aws_region_name: us-east-1
                  - model_name: other
                    litellm_params:
                      model: bedrock/amazon.nova-pro-v1:0
                      api_base: %1$s
                      aws_access_key_id: %2$s
                      aws_secret_access_key: not-the-secret
                  - model_name: claude-lb
                    litellm_params:
                      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0
                      api_base: %1$s
                      aws_access_key_id: %2$s
                      aws_secret_access_key: %3$s
                  - model_name: claude-lb
                    litellm_params:
                      model: bedrock/anthropic.claude-3-haiku-20240307-v1:0
                      api_base: %1$s
                      aws_access_key_id: %2$s
                      aws_secret_access_key: %3$s
                  - model_name: tiny
                    litellm_params:
                      model: bedrock/amazon.nova-micro-v1:0
                      api_base: %1$s
                      aws_access_key_id: %2$s
                      aws_secret_access_key: %3$s
                      rpm: 1
                general_settings:
                  master_key: sk-master
                  max_request_size_mb: 0.01
                """.formatted(mock.origin(), BedrockExchanges.ACCESS_KEY_ID, BedrockExchanges.SECRET_ACCESS_KEY))
                .start();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    /** A Converse body whose user message carries the mock's controls. */
    private static String converse(String controls) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Say hi\"},{\"text\":\""
                + controls.replace("\"", "\\\"") + "\"}]}],\"inferenceConfig\":{\"maxTokens\":64}}";
    }

    @Test
    void shouldSignAConverseRequestWithTheFirstBedrockDeploymentsCredentials() {
        String body = converse("{\"mock_chunks\":3}");

        HttpResponse<String> response = proxy.post(CONVERSE, body, "Authorization", "Bearer " + MASTER_KEY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"output\":{\"message\":").contains("\"usage\":");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse");
        assertThat(upstream.header("authorization")).startsWith("AWS4-HMAC-SHA256 Credential="
                + BedrockExchanges.ACCESS_KEY_ID + "/").contains("/us-east-1/bedrock/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date, Signature=");
        assertThat(upstream.header("content-length"))
                .isEqualTo(Integer.toString(body.getBytes(StandardCharsets.UTF_8).length));
        assertThat(upstream.body()).isEqualTo(body);
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.PASS_THROUGH);
        assertThat(call.modelGroup()).isEqualTo("claude");
        assertThat(call.status()).isEqualTo(200);
    }

    @Test
    void shouldSignAChunkedBodyAndSendItWithItsLength() throws Exception {
        String body = converse("{}");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        int half = bytes.length / 2;
        RawClient.Response response;
        try (RawClient client = new RawClient(proxy.port())) {
            client.send("POST " + CONVERSE + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + MASTER_KEY
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(half) + "\r\n" + body.substring(0, half) + "\r\n");
            client.send(Integer.toHexString(bytes.length - half) + "\r\n" + body.substring(half) + "\r\n0\r\n\r\n");
            response = client.readResponse();
        }

        assertThat(response.status()).isEqualTo(200);
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.header("content-length")).isEqualTo(Integer.toString(bytes.length));
        assertThat(upstream.header("transfer-encoding")).isNull();
        assertThat(upstream.body()).isEqualTo(body);
    }

    @Test
    void shouldRelayAConverseStreamAsItArrives() throws Exception {
        String body = converse("{\"mock_chunks\":4,\"mock_hold_after_chunks\":2,\"mock_hold_ms\":1500}");
        List<RawClient.TimedChunk> chunks;
        RawClient.Head head;
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/bedrock/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream",
                    body, "Authorization: Bearer " + MASTER_KEY + "\r\n"));
            head = client.readHead();
            chunks = client.readTimedChunks();
        }

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.headers().get("content-type")).isEqualTo("application/vnd.amazon.eventstream");
        String all = String.join("", chunks.stream().map(RawClient.TimedChunk::text).toList());
        assertThat(all).contains("contentBlockDelta").contains("messageStop").contains("metadata");
        // The mock holds the stream after two deltas: relayed as they arrive, the first ones came well before the rest.
        long spreadMillis = TimeUnit.NANOSECONDS.toMillis(
                chunks.get(chunks.size() - 1).arrivedNanos() - chunks.get(0).arrivedNanos());
        assertThat(spreadMillis).as("time between the first and the last chunk, ms").isGreaterThan(1000);
        assertThat(mock.requests().get(0).uri())
                .isEqualTo("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream");
        assertThat(proxy.awaitCalls(1).status()).isEqualTo(200);
    }

    @Test
    void shouldRelayInvokeModelInAnthropicsFormat() {
        HttpResponse<String> response = proxy.post(
                "/bedrock/model/anthropic.claude-3-5-sonnet-20240620-v1:0/invoke",
                "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":32,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]}",
                "Authorization", "Bearer " + MASTER_KEY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"type\":\"message\"");
        assertThat(mock.requests().get(0).uri())
                .isEqualTo("/model/anthropic.claude-3-5-sonnet-20240620-v1:0/invoke");
    }

    @Test
    void shouldReadTheUsageOfEachKindOfBedrockAnswerAsItPasses() {
        String model = "/bedrock/model/anthropic.claude-3-5-sonnet-20240620-v1:0/";
        String invoke = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":32,\"messages\":[{\"role\":"
                + "\"user\",\"content\":[{\"type\":\"text\",\"text\":\"{\\\"mock_chunks\\\":3}\"}]}]}";
        String[][] calls = {
            {"converse", converse("{\"mock_chunks\":3}")},
            {"converse-stream", converse("{\"mock_chunks\":3}")},
            {"invoke", invoke},
            {"invoke-with-response-stream", invoke},
        };

        for (String[] call : calls) {
            HttpResponse<String> response = proxy.post(model + call[0], call[1], "Authorization",
                    "Bearer " + MASTER_KEY);
            assertThat(response.statusCode()).as(call[0]).isEqualTo(200);
        }

        for (int i = 0; i < calls.length; i++) {
            Usage usage = proxy.awaitCalls(i + 1).usage();
            assertThat(usage).as(calls[i][0]).isNotNull();
            assertThat(usage.promptTokens()).as(calls[i][0]).isEqualTo(10);
            assertThat(usage.completionTokens()).as(calls[i][0]).isEqualTo(3);
        }
    }

    @Test
    void shouldSpreadARouterModelsCallsOverItsGroupsDeploymentsWithTheirOwnModelIds() {
        Set<String> paths = new HashSet<>();
        for (int i = 0; i < 24; i++) {
            HttpResponse<String> response = proxy.post("/bedrock/model/claude-lb/converse?trace=1",
                    converse("{}"), "Authorization", "Bearer " + MASTER_KEY);
            assertThat(response.statusCode()).isEqualTo(200);
            paths.add(mock.requests().get(i).uri());
        }

        assertThat(paths).containsExactlyInAnyOrder(
                "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse?trace=1",
                "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse?trace=1");
        CallRecord call = proxy.awaitCalls(24);
        assertThat(call.modelGroup()).isEqualTo("claude-lb");
        assertThat(call.deploymentId()).isNotNull();
    }

    @Test
    void shouldSignARouterModelsCallWithItsOwnDeploymentsCredentials() {
        HttpResponse<String> routerModel = proxy.post("/bedrock/model/other/converse", converse("{}"),
                "Authorization", "Bearer " + MASTER_KEY);
        HttpResponse<String> rawId = proxy.post("/bedrock/model/amazon.nova-pro-v1:0/converse", converse("{}"),
                "Authorization", "Bearer " + MASTER_KEY);

        assertThat(routerModel.statusCode()).as("signed with other's wrong secret").isEqualTo(403);
        assertThat(mock.requests().get(0).uri()).isEqualTo("/model/amazon.nova-pro-v1%3A0/converse");
        assertThat(rawId.statusCode()).as("a raw id: the first Bedrock deployment's credentials").isEqualTo(200);
        assertThat(mock.requests().get(1).uri()).isEqualTo("/model/amazon.nova-pro-v1:0/converse");
    }

    @Test
    void shouldAnswer429WhenNoDeploymentOfARouterModelCanTakeTheCall() {
        HttpResponse<String> first = proxy.post("/bedrock/model/tiny/converse", converse("{}"),
                "Authorization", "Bearer " + MASTER_KEY);
        HttpResponse<String> second = proxy.post("/bedrock/model/tiny/converse", converse("{}"),
                "Authorization", "Bearer " + MASTER_KEY);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(second.body()).contains("No deployments available for selected model").contains("model=tiny");
        assertThat(second.headers().firstValue("retry-after")).isPresent();
        assertThat(mock.requests()).hasSize(1);
        assertThat(proxy.awaitCalls(2).error()).isEqualTo(ProxyError.NO_DEPLOYMENT_AVAILABLE);
    }

    @Test
    void shouldRefuseADeclaredBodyOverMaxRequestSizeBeforeCallingBedrock() {
        String body = converse("x".repeat(MAX_REQUEST_BYTES));

        HttpResponse<String> response = proxy.post(CONVERSE, body, "Authorization", "Bearer " + MASTER_KEY);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("max_request_size_mb");
        assertThat(mock.requests()).isEmpty();
        assertThat(proxy.awaitCalls(1).error()).isEqualTo(ProxyError.BODY_TOO_LARGE);
    }

    @Test
    void shouldRefuseAChunkedBodyThatGrowsOverMaxRequestSize() throws Exception {
        String chunk = "x".repeat(MAX_REQUEST_BYTES / 2 + 1);
        RawClient.Response response;
        try (RawClient client = new RawClient(proxy.port())) {
            client.send("POST " + CONVERSE + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + MASTER_KEY
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 2; i++) {
                client.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
            }
            response = client.readResponse();
        }

        assertThat(response.status()).isEqualTo(413);
        assertThat(mock.requests()).isEmpty();
        assertThat(proxy.awaitCalls(1).error()).isEqualTo(ProxyError.BODY_TOO_LARGE);
    }

    @Test
    void shouldRefuseABodyThatDoesNotFitTheRequestBuffers() throws Exception {
        Path other = Files.createDirectories(dir.resolve("budget"));
        try (ProxyFixture small = ProxyFixture.builder(other, """
                model_list:
                  - model_name: claude
                    litellm_params:
                      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0
                      api_base: %1$s
                      aws_access_key_id: %2$s
                      aws_secret_access_key: %3$s
                general_settings:
                  master_key: sk-master
                """.formatted(mock.origin(), BedrockExchanges.ACCESS_KEY_ID, BedrockExchanges.SECRET_ACCESS_KEY))
                .components(components -> components.requestBufferBytes(4096)).start()) {
            HttpResponse<String> response = small.post(CONVERSE, converse("x".repeat(8192)),
                    "Authorization", "Bearer " + MASTER_KEY);

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(mock.requests()).isEmpty();
            assertThat(small.awaitCalls(1).error()).isEqualTo(ProxyError.REQUEST_BUFFERS_FULL);
        }
    }

    @Test
    void shouldRefuseTheRouteWithoutAKeyBeforeReadingTheBody() {
        HttpResponse<String> response = proxy.post(CONVERSE, converse("{}"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(mock.requests()).isEmpty();
        assertThat(proxy.awaitCalls(1).endpoint()).isEqualTo(Endpoint.PASS_THROUGH);
    }
}
