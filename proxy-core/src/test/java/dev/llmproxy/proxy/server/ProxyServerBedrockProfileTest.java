package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.BedrockExchanges;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.MockSts;
import dev.llmproxy.bench.mock.RecordedRequest;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bedrock/} deployments whose credentials come from the AWS shared files or the environment as LiteLLM (boto3)
 * finds them, over real sockets against the mock's Converse and STS: {@code aws_profile_name} and
 * {@code AWS_PROFILE} (a profile's keys, or its {@code role_arn} assumed with its {@code source_profile}'s keys),
 * IRSA's {@code AWS_WEB_IDENTITY_TOKEN_FILE} with {@code AWS_ROLE_ARN}, and {@code aws_web_identity_token} as
 * {@code oidc/file/...} or {@code os.environ/...}.
 */
class ProxyServerBedrockProfileTest {
    private static final String ROLE = "arn:aws:iam::123456789012:role/llm-proxy";

    @TempDir
    Path dir;

    private MockProvider mock;
    private final List<ProxyFixture> proxies = new ArrayList<>();
    private Path credentials;
    private Path config;
    private Path token;

    @BeforeEach
    void setUp() throws IOException {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        credentials = dir.resolve("credentials");
        config = dir.resolve("config");
        token = dir.resolve("token");
        Files.writeString(credentials, """
                # the team's key
                [static]
                aws_access_key_id = %s
                aws_secret_access_key = %s

                [wrong]
                aws_access_key_id = %1$s
                aws_secret_access_key = not-the-secret
                """.formatted(BedrockExchanges.ACCESS_KEY_ID, BedrockExchanges.SECRET_ACCESS_KEY));
        Files.writeString(config, """
                [profile role]
                role_arn = %s
                source_profile = static
                role_session_name = from-profile
                region = eu-west-1

                [profile web]
                role_arn = %1$s
                web_identity_token_file = %s
                """.formatted(ROLE, token));
        Files.writeString(token, MockSts.WEB_IDENTITY_TOKEN + "\n");
    }

    @AfterEach
    void tearDown() {
        proxies.forEach(ProxyFixture::close);
        mock.close();
    }

    @Test
    void shouldSignWithTheKeysOfTheNamedProfile() {
        ProxyFixture proxy = start(deployment("aws_profile_name: static"), Map.of());

        HttpResponse<String> response = proxy.post("/v1/chat/completions", chat());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(converse().get(0).header("authorization")).startsWith("AWS4-HMAC-SHA256 Credential="
                + BedrockExchanges.ACCESS_KEY_ID + "/");
        assertThat(sts()).isEmpty();
    }

    @Test
    void shouldAssumeAProfilesRoleWithItsSourceProfilesKeys() {
        ProxyFixture proxy = start(deployment("aws_profile_name: role\n      aws_sts_endpoint: " + mock.origin()),
                Map.of());

        HttpResponse<String> response = proxy.post("/v1/chat/completions", chat());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        RecordedRequest assume = sts().get(0);
        assertThat(assume.body()).startsWith("Action=AssumeRole&RoleArn=").contains("&RoleSessionName=from-profile&");
        assertThat(assume.header("authorization")).startsWith("AWS4-HMAC-SHA256 Credential="
                + BedrockExchanges.ACCESS_KEY_ID + "/");
        assertThat(converse().get(0).header("x-amz-security-token")).isEqualTo(MockSts.SESSION_TOKEN);
    }

    @Test
    void shouldUseAwsProfileFromTheEnvironmentWithAWebIdentityTokenFile() {
        ProxyFixture proxy = start(deployment(""), Map.of("AWS_PROFILE", "web", "AWS_STS_ENDPOINT", mock.origin()));

        HttpResponse<String> response = proxy.post("/v1/chat/completions", chat());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(sts().get(0).body()).startsWith("Action=AssumeRoleWithWebIdentity&RoleArn=")
                .endsWith("&WebIdentityToken=" + MockSts.WEB_IDENTITY_TOKEN);
    }

    @Test
    void shouldAssumeTheIrsaRoleWithTheTokenFileOfTheEnvironment() {
        ProxyFixture proxy = start(deployment(""), Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", token.toString(),
                "AWS_ROLE_ARN", ROLE, "AWS_ROLE_SESSION_NAME", "irsa", "AWS_STS_ENDPOINT", mock.origin()));

        HttpResponse<String> response = proxy.post("/v1/chat/completions", chat());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(sts().get(0).body()).contains("&RoleSessionName=irsa&")
                .endsWith("&WebIdentityToken=" + MockSts.WEB_IDENTITY_TOKEN);
        assertThat(converse().get(0).header("x-amz-security-token")).isEqualTo(MockSts.SESSION_TOKEN);
    }

    @Test
    void shouldReadLiteLlmsOidcFileAndOsEnvironWebIdentityTokens() {
        ProxyFixture proxy = start("""
                model_list:
                  - model_name: file
                    litellm_params:
                      model: bedrock/amazon.nova-pro-v1:0
                      api_base: %1$s
                      aws_role_name: %2$s
                      aws_web_identity_token: oidc/file/%3$s
                      aws_sts_endpoint: %1$s
                  - model_name: environ
                    litellm_params:
                      model: bedrock/amazon.nova-pro-v1:0
                      api_base: %1$s
                      aws_role_name: %2$s
                      aws_web_identity_token: os.environ/K8S_TOKEN
                      aws_sts_endpoint: %1$s
                """.formatted(mock.origin(), ROLE, token), Map.of("K8S_TOKEN", MockSts.WEB_IDENTITY_TOKEN));

        assertThat(proxy.post("/v1/chat/completions", chat("file")).statusCode()).isEqualTo(200);
        assertThat(proxy.post("/v1/chat/completions", chat("environ")).statusCode()).isEqualTo(200);
        assertThat(sts()).hasSize(2).allSatisfy(request -> assertThat(request.body())
                .endsWith("&WebIdentityToken=" + MockSts.WEB_IDENTITY_TOKEN));
    }

    @Test
    void shouldAnswer401NamingAProfileThatIsNotInTheFiles() {
        ProxyFixture proxy = start(deployment("aws_profile_name: nobody"), Map.of());

        HttpResponse<String> response = proxy.post("/v1/chat/completions", chat());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("The AWS profile 'nobody' is in neither");
        assertThat(converse()).isEmpty();
    }

    private ProxyFixture start(String yaml, Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("AWS_SHARED_CREDENTIALS_FILE", credentials.toString());
        all.put("AWS_CONFIG_FILE", config.toString());
        Path proxyDir = dir.resolve("proxy-" + proxies.size());
        try {
            Files.createDirectories(proxyDir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ProxyFixture proxy = ProxyFixture.builder(proxyDir, yaml).env(all).start();
        proxies.add(proxy);
        return proxy;
    }

    private String deployment(String params) {
        return """
                model_list:
                  - model_name: claude
                    litellm_params:
                      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0
                      api_base: %s
                      aws_region_name: us-east-1
                      %s
                """.formatted(mock.origin(), params);
    }

    private static String chat() {
        return chat("claude");
    }

    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}";
    }

    private List<RecordedRequest> sts() {
        return mock.requests().stream().filter(request -> request.uri().equals("/")).toList();
    }

    private List<RecordedRequest> converse() {
        return mock.requests().stream().filter(request -> request.uri().startsWith("/model/")).toList();
    }
}
