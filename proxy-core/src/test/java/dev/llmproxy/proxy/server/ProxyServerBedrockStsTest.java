package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.BedrockExchanges;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.MockSts;
import dev.llmproxy.bench.mock.RecordedRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bedrock/} deployments with {@code aws_role_name} over real sockets: the proxy asks the mock's STS for
 * temporary credentials ({@code AssumeRole} SigV4-signed for {@code sts}, or {@code AssumeRoleWithWebIdentity}),
 * keeps them for the following requests, and signs Converse with them and their session token, which the mock
 * verifies.
 */
class ProxyServerBedrockStsTest {
    private static final String ROLE = "arn:aws:iam::123456789012:role/llm-proxy";

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: role
                    litellm_params:
                      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0
                      api_base: %1$s
                      aws_access_key_id: %2$s
                      aws_secret_access_key: %3$s
                      aws_region_name: us-east-1
                      aws_role_name: %4$s
                      aws_session_name: proxy-session
                      aws_external_id: ext-7
                      aws_sts_endpoint: %1$s
                  - model_name: web-identity
                    litellm_params:
                      model: bedrock/amazon.nova-pro-v1:0
                      api_base: %1$s
                      aws_region_name: us-east-1
                      aws_role_name: %4$s
                      aws_session_name: web
                      aws_web_identity_token: %5$s
                      aws_sts_endpoint: %1$s
                  - model_name: refused
                    litellm_params:
                      model: bedrock/amazon.nova-pro-v1:0
                      api_base: %1$s
                      aws_access_key_id: %2$s
                      aws_secret_access_key: not-the-secret
                      aws_role_name: %4$s
                      aws_sts_endpoint: %1$s
                """.formatted(mock.origin(), BedrockExchanges.ACCESS_KEY_ID, BedrockExchanges.SECRET_ACCESS_KEY,
                        ROLE, MockSts.WEB_IDENTITY_TOKEN))
                .env(Map.of())
                .start();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}";
    }

    @Test
    void shouldAssumeTheRoleOnceAndSignWithItsTemporaryCredentials() {
        HttpResponse<String> first = proxy.post("/v1/chat/completions", chat("role"));
        HttpResponse<String> second = proxy.post("/v1/chat/completions", chat("role"));

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        List<RecordedRequest> sts = stsRequests();
        assertThat(sts).hasSize(1);
        assertThat(sts.get(0).body()).isEqualTo("Action=AssumeRole&ExternalId=ext-7&RoleArn="
                + "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fllm-proxy&RoleSessionName=proxy-session"
                + "&Version=2011-06-15");
        assertThat(sts.get(0).header("authorization")).startsWith("AWS4-HMAC-SHA256 Credential="
                + BedrockExchanges.ACCESS_KEY_ID + "/").contains("/us-east-1/sts/aws4_request");
        List<RecordedRequest> converse = converseRequests();
        assertThat(converse).hasSize(2).allSatisfy(request -> {
            assertThat(request.header("x-amz-security-token")).isEqualTo(MockSts.SESSION_TOKEN);
            assertThat(request.header("authorization")).startsWith("AWS4-HMAC-SHA256 Credential="
                    + MockSts.ACCESS_KEY_ID + "/").contains("/us-east-1/bedrock/aws4_request, "
                    + "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, ");
        });
    }

    @Test
    void shouldAssumeTheRoleWithAWebIdentityTokenUnsigned() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", chat("web-identity"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        RecordedRequest sts = stsRequests().get(0);
        assertThat(sts.body()).startsWith("Action=AssumeRoleWithWebIdentity&RoleArn=")
                .endsWith("&WebIdentityToken=" + MockSts.WEB_IDENTITY_TOKEN);
        assertThat(sts.header("authorization")).isNull();
        assertThat(converseRequests().get(0).header("x-amz-security-token")).isEqualTo(MockSts.SESSION_TOKEN);
    }

    @Test
    void shouldAnswer401NamingStsErrorWhenTheRoleCannotBeAssumed() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", chat("refused"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("AWS STS did not give credentials (HTTP 403, SignatureDoesNotMatch: "
                + "The request signature we calculated does not match");
        assertThat(converseRequests()).isEmpty();
    }

    private List<RecordedRequest> stsRequests() {
        return mock.requests().stream().filter(request -> request.uri().equals("/")).toList();
    }

    private List<RecordedRequest> converseRequests() {
        return mock.requests().stream().filter(request -> request.uri().startsWith("/model/")).toList();
    }
}
