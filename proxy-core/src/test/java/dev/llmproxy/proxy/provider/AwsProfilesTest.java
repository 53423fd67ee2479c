package dev.llmproxy.proxy.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.MockSts;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AWS shared files read as boto3 reads them, and web identity token files read again at each fetch. */
class AwsProfilesTest {
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
}
