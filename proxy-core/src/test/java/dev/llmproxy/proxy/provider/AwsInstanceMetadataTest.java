package dev.llmproxy.proxy.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.bench.mock.MockAwsCredentials;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.MockSts;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.codec.bedrock.SigV4;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The EC2 instance metadata service asked as boto3 asks it (IMDSv2), and the variables that steer it. */
class AwsInstanceMetadataTest {
    @Test
    void shouldHonourTheEndpointModeTimeoutAndDisabledVariables() {
        AwsInstanceMetadata standard = AwsInstanceMetadata.of(Map.of());
        AwsInstanceMetadata ipv6 = AwsInstanceMetadata.of(Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6",
                "AWS_METADATA_SERVICE_TIMEOUT", "2.5"));

        assertThat(standard).isEqualTo(new AwsInstanceMetadata(URI.create("http://169.254.169.254"),
                Duration.ofSeconds(1)));
        assertThat(ipv6).isEqualTo(new AwsInstanceMetadata(URI.create("http://[fd00:ec2::254]"),
                Duration.ofMillis(2500)));
        assertThat(AwsInstanceMetadata.of(Map.of("AWS_EC2_METADATA_DISABLED", "TRUE"))).isNull();
    }

    @Test
    void shouldGetASessionTokenThenTheRoleThenItsCredentials() {
        try (MockProvider mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build())) {
            AwsInstanceMetadata metadata = AwsInstanceMetadata.of(Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT",
                    mock.origin() + "/"));

            TokenRefresher.Expiring<SigV4.Credentials> credentials = metadata.fetch(HttpClient.newHttpClient(),
                    Clock.systemUTC()).toCompletableFuture().join();

            assertThat(credentials.value()).isEqualTo(new SigV4.Credentials(MockSts.ACCESS_KEY_ID,
                    MockSts.SECRET_ACCESS_KEY, MockSts.SESSION_TOKEN));
            assertThat(mock.requests()).extracting(request -> request.method() + " " + request.uri()).containsExactly(
                    "PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/",
                    "GET /latest/meta-data/iam/security-credentials/" + MockAwsCredentials.INSTANCE_ROLE);
            assertThat(mock.requests().get(0).header("x-aws-ec2-metadata-token-ttl-seconds")).isEqualTo("21600");
            assertThat(mock.requests().subList(1, 3)).extracting(request -> request.header("x-aws-ec2-metadata-token"))
                    .containsOnly(MockAwsCredentials.IMDS_TOKEN);
        }
    }

    @Test
    void shouldFailQuicklyWhenNothingAnswersAtTheEndpoint() {
        AwsInstanceMetadata metadata = AwsInstanceMetadata.of(Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT",
                "http://127.0.0.1:9"));

        assertThatThrownBy(() -> metadata.fetch(HttpClient.newHttpClient(), Clock.systemUTC()).toCompletableFuture()
                .join()).cause().isInstanceOf(UpstreamAuth.CredentialsException.class)
                .hasMessageStartingWith("The instance metadata service at http://127.0.0.1:9 could not be reached (");
    }
}
