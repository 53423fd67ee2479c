package dev.llmproxy.proxy.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.bench.mock.BedrockExchanges;
import dev.llmproxy.bench.mock.MockAwsCredentials;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.MockSts;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.codec.bedrock.SigV4;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AWS shared files read as boto3 reads them, web identity token files read again at each fetch, and boto3's
 * default chain in its order.
 */
class AwsProfilesTest {
    private static final String ROLE = "arn:aws:iam::123456789012:role/llm-proxy";

    @TempDir
    Path dir;

    @Test
    void shouldReadProfilesOfTheConfigFileOnlyWithTheirPrefixOrAsDefault() {
        Map<String, Map<String, String>> config = AwsProfiles.parse("""
                ; comment
                [default]
                region = us-east-1
                [profile dev]
                Role_Arn = arn:aws:iam::1:role/r
                source_profile = default
                s3 =
                  max_concurrent_requests = 20
                [sso-session corp]
                sso_region = us-east-1
                [other]
                aws_access_key_id = never
                """, true);
        Map<String, Map<String, String>> credentials = AwsProfiles.parse("[dev]\r\naws_access_key_id = AKID\r\n"
                + "aws_secret_access_key = se=cret\r\n", false);

        assertThat(config).containsOnlyKeys("default", "dev");
        assertThat(config.get("dev")).containsOnly(Map.entry("role_arn", "arn:aws:iam::1:role/r"),
                Map.entry("source_profile", "default"));
        assertThat(credentials.get("dev")).containsEntry("aws_secret_access_key", "se=cret");
    }

    @Test
    void shouldReadTheWebIdentityTokenFileAgainAtEachFetch() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), MockSts.WEB_IDENTITY_TOKEN);
        try (MockProvider mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build())) {
            AwsProfiles profiles = new AwsProfiles(dir.resolve("none"), dir.resolve("none"),
                    new AwsAssumeRole.Target(URI.create(mock.origin()), "us-east-1", "s"), Runnable::run, Map.of());
            AwsProfiles.Source source = profiles.webIdentity(token, "arn:aws:iam::1:role/r");
            HttpClient client = HttpClient.newHttpClient();

            TokenRefresher.Expiring<?> first = source.fetch(client, Clock.systemUTC()).toCompletableFuture().join();
            Files.writeString(token, "rotated-token\n");

            assertThat(first.expiresInSeconds()).isPositive();
            assertThatThrownBy(() -> source.fetch(client, Clock.systemUTC()).toCompletableFuture().join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(UpstreamAuth.CredentialsException.class);
            assertThat(mock.requests().get(1).body()).endsWith("&WebIdentityToken=rotated-token");
        }
    }

    @Test
    void shouldRefuseAProfileWithARoleButNoSourceAndAProfileThatIsItsOwnSource() throws Exception {
        Path config = Files.writeString(dir.resolve("config"), """
                [profile lone]
                role_arn = arn:aws:iam::1:role/r
                [profile loop]
                role_arn = arn:aws:iam::1:role/r
                source_profile = loop
                """);
        AwsProfiles profiles = new AwsProfiles(dir.resolve("none"), config,
                new AwsAssumeRole.Target(URI.create("http://127.0.0.1:9"), "us-east-1", "s"), Runnable::run, Map.of());

        HttpClient client = HttpClient.newHttpClient();
        assertThatThrownBy(() -> profiles.profile("lone").fetch(client, Clock.systemUTC()).toCompletableFuture()
                .join()).hasMessageContaining("has a role_arn but neither a source_profile");
        assertThatThrownBy(() -> profiles.profile("loop").fetch(client, Clock.systemUTC()).toCompletableFuture()
                .join()).hasMessageContaining("is its own source_profile");
    }

    @Test
    void shouldPutTheIrsaVariablesBeforeTheKeysOfTheDefaultProfile() throws Exception {
        Files.writeString(dir.resolve("credentials"), "[default]\naws_access_key_id = AKIADEFAULT\n"
                + "aws_secret_access_key = s\n");
        Path token = Files.writeString(dir.resolve("token"), MockSts.WEB_IDENTITY_TOKEN);
        try (MockProvider mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build())) {
            AwsProfiles profiles = profiles(mock, Map.of("AWS_ROLE_ARN", ROLE, "AWS_WEB_IDENTITY_TOKEN_FILE",
                    token.toString(), "AWS_ROLE_SESSION_NAME", "irsa"));

            assertThat(fetch(profiles.defaultChain()).value().accessKeyId()).isEqualTo(MockSts.ACCESS_KEY_ID);
            assertThat(mock.requests().get(0).body()).startsWith("Action=AssumeRoleWithWebIdentity&RoleArn=")
                    .contains("&RoleSessionName=irsa&");
        }
    }

    @Test
    void shouldTakeTheCredentialsFilesKeysThenCredentialProcessThenTheConfigFilesKeys() throws Exception {
        Path script = Files.writeString(dir.resolve("creds"), """
                #!/bin/sh
                echo '{"Version": 1, "AccessKeyId": "AKIAPROCESS", "SecretAccessKey": "p"}'
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(dir.resolve("credentials"), "[both]\naws_access_key_id = AKIACREDENTIALS\n"
                + "aws_secret_access_key = c\n");
        Files.writeString(dir.resolve("config"), """
                [profile both]
                credential_process = %1$s
                [default]
                credential_process = %1$s --default
                aws_access_key_id = AKIACONFIG
                aws_secret_access_key = k
                [profile config]
                aws_access_key_id = AKIACONFIG
                aws_secret_access_key = k
                """.formatted(script));
        AwsProfiles profiles = profiles(null, Map.of());

        assertThat(fetch(profiles.profile("both")).value().accessKeyId()).isEqualTo("AKIACREDENTIALS");
        assertThat(fetch(profiles.defaultChain()).value().accessKeyId()).isEqualTo("AKIAPROCESS");
        assertThat(fetch(profiles(null, Map.of("AWS_PROFILE", "config")).defaultChain()).value().accessKeyId())
                .isEqualTo("AKIACONFIG");
    }

    @Test
    void shouldAssumeARoleWithTheKeysOfItsCredentialSource() throws Exception {
        Files.writeString(dir.resolve("config"), """
                [default]
                role_arn = %s
                credential_source = Environment
                role_session_name = from-env
                """.formatted(ROLE));
        try (MockProvider mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build())) {
            AwsProfiles profiles = profiles(mock, Map.of("AWS_ACCESS_KEY_ID", BedrockExchanges.ACCESS_KEY_ID,
                    "AWS_SECRET_ACCESS_KEY", BedrockExchanges.SECRET_ACCESS_KEY));

            assertThat(fetch(profiles.defaultChain()).value().sessionToken()).isEqualTo(MockSts.SESSION_TOKEN);
            assertThat(mock.requests().get(0).body()).startsWith("Action=AssumeRole&RoleArn=")
                    .contains("&RoleSessionName=from-env&");
            assertThat(mock.requests().get(0).header("authorization")).contains(BedrockExchanges.ACCESS_KEY_ID + "/");
        }
    }

    @Test
    void shouldChainRolesDownToASourceProfileWithACredentialProcess() throws Exception {
        Path script = Files.writeString(dir.resolve("creds"), """
                #!/bin/sh
                echo '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}'
                """.formatted(BedrockExchanges.ACCESS_KEY_ID, BedrockExchanges.SECRET_ACCESS_KEY));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(dir.resolve("config"), """
                [profile top]
                role_arn = arn:aws:iam::1:role/top
                source_profile = middle
                [profile middle]
                role_arn = arn:aws:iam::1:role/middle
                source_profile = base
                [profile base]
                credential_process = %s
                """.formatted(script));
        try (MockProvider mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build())) {
            AwsProfiles profiles = profiles(mock, Map.of());

            assertThat(fetch(profiles.profile("top")).value().sessionToken()).isEqualTo(MockSts.SESSION_TOKEN);
            assertThat(mock.requests()).extracting(RecordedRequest::body).hasSize(2).satisfiesExactly(
                    first -> assertThat(first).contains("&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fmiddle&"),
                    second -> assertThat(second).contains("&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Ftop&"));
            assertThat(mock.requests().get(0).header("authorization")).contains(BedrockExchanges.ACCESS_KEY_ID + "/");
            assertThat(mock.requests().get(1).header("authorization")).contains(MockSts.ACCESS_KEY_ID + "/");
        }
    }

    @Test
    void shouldGoOnToTheContainerWhenThereIsNoDefaultProfile() throws Exception {
        try (MockProvider mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build())) {
            AwsProfiles profiles = profiles(mock, Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    mock.origin() + "/v1/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                    MockAwsCredentials.CONTAINER_TOKEN, "AWS_EC2_METADATA_SERVICE_ENDPOINT", mock.origin()));

            assertThat(fetch(profiles.defaultChain()).value().accessKeyId()).isEqualTo(MockSts.ACCESS_KEY_ID);
            assertThat(mock.requests()).extracting(RecordedRequest::uri).containsExactly("/v1/credentials");
        }
    }

    @Test
    void shouldSayWhereItLookedWhenTheChainFindsNothingAndRefuseAMissingAwsProfile() {
        AwsProfiles disabled = profiles(null, Map.of("AWS_EC2_METADATA_DISABLED", "true"));
        AwsProfiles unreachable = profiles(null, Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9"));

        assertThatThrownBy(() -> fetch(disabled.defaultChain())).cause()
                .hasMessage("No AWS credentials were found: none in the environment (AWS_ACCESS_KEY_ID), no AWS "
                        + "profile 'default' in " + dir.resolve("credentials") + " or " + dir.resolve("config")
                        + ", no container credentials (AWS_CONTAINER_CREDENTIALS_*), and the instance metadata "
                        + "service is disabled (AWS_EC2_METADATA_DISABLED)");
        assertThatThrownBy(() -> fetch(unreachable.defaultChain())).cause()
                .hasMessageContaining("and the instance metadata service at http://127.0.0.1:9 could not be reached");
        assertThatThrownBy(() -> fetch(profiles(null, Map.of("AWS_PROFILE", "nobody")).defaultChain())).cause()
                .hasMessageStartingWith("The AWS profile 'nobody' is in neither");
    }

    private AwsProfiles profiles(@Nullable MockProvider sts, Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("credentials").toString());
        all.put("AWS_CONFIG_FILE", dir.resolve("config").toString());
        all.put("HOME", dir.toString());
        return AwsProfiles.of(all, new AwsAssumeRole.Target(URI.create(sts != null ? sts.origin()
                : "http://127.0.0.1:9"), "us-east-1", "s"), Runnable::run);
    }

    private static TokenRefresher.Expiring<SigV4.Credentials> fetch(AwsProfiles.Source source) {
        return source.fetch(HttpClient.newHttpClient(), Clock.systemUTC()).toCompletableFuture().join();
    }
}
