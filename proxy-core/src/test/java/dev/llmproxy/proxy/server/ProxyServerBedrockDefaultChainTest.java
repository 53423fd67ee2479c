package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockAwsCredentials;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.MockSts;
import dev.llmproxy.bench.mock.RecordedRequest;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bedrock/} deployments that name no credentials, in an environment without {@code AWS_ACCESS_KEY_ID}: the
 * call is signed with what boto3's default chain finds (an SSO profile's role credentials, the instance role's), over
 * real sockets against the mock's Converse (which verifies SigV4), SSO portal and instance metadata; a chain that
 * fails gives the client a 401 that says why.
 */
class ProxyServerBedrockDefaultChainTest {
    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
    }

    @AfterEach
    void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
        mock.close();
    }

    @Test
    void shouldSignWithTheSsoRoleCredentialsOfAwsProfileAndKeepThem() throws IOException {
        Files.writeString(dir.resolve("config"), """
                [profile corp]
                sso_session = corp
                sso_account_id = 111122223333
                sso_role_name = BedrockUsers
                region = us-east-1

                [sso-session corp]
                sso_start_url = https://corp.awsapps.com/start
                sso_region = us-east-1
                """);
        Path cache = Files.createDirectories(dir.resolve(".aws/sso/cache"));
        // sha1("corp"), the name `aws sso login` gives the session's token file.
        Files.writeString(cache.resolve("ee0bfd2552fbd840c02cc48b6e823320543c450f.json"), """
                {"startUrl": "https://corp.awsapps.com/start", "region": "us-east-1",
                 "accessToken": "%s", "expiresAt": "2999-01-01T00:00:00Z"}""".formatted(
                MockAwsCredentials.SSO_ACCESS_TOKEN));
        start(Map.of("AWS_PROFILE", "corp", "AWS_ENDPOINT_URL_SSO", mock.origin()));

        HttpResponse<String> first = proxy.post("/v1/chat/completions", chat());
        HttpResponse<String> second = proxy.post("/v1/chat/completions", chat());

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(requests("/federation/credentials")).hasSize(1).first().satisfies(exchange -> assertThat(
                exchange.uri()).isEqualTo("/federation/credentials?role_name=BedrockUsers&account_id=111122223333"));
        assertThat(requests("/model/")).hasSize(2).allSatisfy(converse -> {
            assertThat(converse.header("authorization")).startsWith("AWS4-HMAC-SHA256 Credential="
                    + MockSts.ACCESS_KEY_ID + "/");
            assertThat(converse.header("x-amz-security-token")).isEqualTo(MockSts.SESSION_TOKEN);
        });
    }

    @Test
    void shouldSignWithTheInstanceRoleWhenNothingElseIsConfigured() {
        start(Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", mock.origin()));

        HttpResponse<String> response = proxy.post("/v1/chat/completions", chat());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(requests("/latest/")).extracting(RecordedRequest::uri).containsExactly("/latest/api/token",
                "/latest/meta-data/iam/security-credentials/",
                "/latest/meta-data/iam/security-credentials/" + MockAwsCredentials.INSTANCE_ROLE);
        assertThat(requests("/model/").get(0).header("x-amz-security-token")).isEqualTo(MockSts.SESSION_TOKEN);
    }

    @Test
    void shouldAnswer401NamingTheDefaultProfilesFailingCredentialProcess() throws IOException {
        Path script = Files.writeString(dir.resolve("vault-creds"), """
                #!/bin/sh
                echo 'vault: token expired' >&2
                exit 2
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(dir.resolve("config"), "[default]\ncredential_process = " + script + " --role bedrock\n");
        start(Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", mock.origin()));

        HttpResponse<String> response = proxy.post("/v1/chat/completions", chat());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("The credential_process '" + script + "' exited with 2: vault: token "
                + "expired").doesNotContain("--role");
        assertThat(requests("/model/")).isEmpty();
        assertThat(requests("/latest/")).isEmpty();
    }

    private void start(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put("HOME", dir.toString());
        all.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("credentials").toString());
        all.put("AWS_CONFIG_FILE", dir.resolve("config").toString());
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: claude
                    litellm_params:
                      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0
                      api_base: %s
                      aws_region_name: us-east-1
                """.formatted(mock.origin())).env(all).start();
    }

    private static String chat() {
        return "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}";
    }

    private List<RecordedRequest> requests(String prefix) {
        return mock.requests().stream().filter(request -> request.uri().startsWith(prefix)).toList();
    }
}
