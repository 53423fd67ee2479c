package dev.llmproxy.proxy.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.bench.mock.MockAwsCredentials;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.MockSts;
import dev.llmproxy.codec.bedrock.SigV4;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The container credentials endpoint: which URLs boto3 would call, its token, its answer. */
class AwsContainerCredentialsTest {
    @TempDir
    Path dir;

    @Test
    void shouldUseTheRelativeUriUnderTheEcsAgentBeforeTheFullUri() {
        AwsContainerCredentials relative = AwsContainerCredentials.of(Map.of(
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/x"));

        assertThat(relative).isNotNull();
        assertThat(relative.uri()).isEqualTo(URI.create("http://169.254.170.2/v2/credentials/abc"));
        assertThat(AwsContainerCredentials.of(Map.of())).isNull();
    }

    @Test
    void shouldRefuseAPlainHttpFullUriToAHostThatIsNeitherLoopbackNorAnAgent() {
        assertThatThrownBy(() -> AwsContainerCredentials.of(Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.evil.example/creds"))).hasMessage("AWS_CONTAINER_CREDENTIALS_FULL_URI "
                + "http://127.evil.example/creds is neither https nor a loopback or container agent address");
        assertThat(AwsContainerCredentials.of(Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://169.254.170.23/v1/credentials"))).isNotNull();
        assertThat(AwsContainerCredentials.of(Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "https://creds.example/v1"))).isNotNull();
    }

    @Test
    void shouldSendTheTokenFileOverTheTokenAndReadTheCredentials() throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("token"), MockAwsCredentials.CONTAINER_TOKEN + "\n");
        try (MockProvider mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build())) {
            AwsContainerCredentials container = AwsContainerCredentials.of(Map.of(
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI", mock.origin() + "/v1/credentials",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "stale", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                    tokenFile.toString()));

            TokenRefresher.Expiring<SigV4.Credentials> credentials = container.fetch(HttpClient.newHttpClient(),
                    Clock.systemUTC(), Runnable::run).toCompletableFuture().join();

            assertThat(credentials.value()).isEqualTo(new SigV4.Credentials(MockSts.ACCESS_KEY_ID,
                    MockSts.SECRET_ACCESS_KEY, MockSts.SESSION_TOKEN));
            assertThat(credentials.expiresInSeconds()).isBetween(3500L, 3600L);
            assertThat(mock.requests().get(0).header("authorization")).isEqualTo(MockAwsCredentials.CONTAINER_TOKEN);
        }
    }

    @Test
    void shouldSayWhatTheEndpointAnsweredWhenItRefuses() {
        try (MockProvider mock = MockProvider.start(MockProviderConfig.builder().build())) {
            AwsContainerCredentials container = AwsContainerCredentials.of(Map.of(
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI", mock.origin() + "/v1/credentials",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong"));

            assertThatThrownBy(() -> container.fetch(HttpClient.newHttpClient(), Clock.systemUTC(), Runnable::run)
                    .toCompletableFuture().join()).cause().isInstanceOf(UpstreamAuth.CredentialsException.class)
                    .hasMessage("The container credentials endpoint " + mock.origin() + "/v1/credentials answered "
                            + "HTTP 401");
        }
    }
}
