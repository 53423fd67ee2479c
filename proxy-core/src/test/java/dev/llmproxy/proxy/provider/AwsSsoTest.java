package dev.llmproxy.proxy.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.bench.mock.MockAwsCredentials;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.MockSts;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.codec.bedrock.SigV4;
import dev.llmproxy.proxy.provider.TokenRefresher.Expiring;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IAM Identity Center profiles: their settings, the cached token of {@code aws sso login}, the portal's answer. */
class AwsSsoTest {
    private static final Map<String, Map<String, String>> SESSIONS = Map.of("my-sso", Map.of(
            "sso_start_url", "https://d-92671207e4.awsapps.com/start", "sso_region", "eu-west-1"));

    @TempDir
    Path home;

    @Test
    void shouldFindTheTokenBySessionNameOrLegacyStartUrlAndThePortalBySsoRegion() {
        AwsSso session = AwsSso.of("dev", Map.of("sso_session", "my-sso", "sso_account_id", "111122223333",
                "sso_role_name", "Bedrock"), SESSIONS, Map.of("HOME", home.toString()));
        AwsSso legacy = AwsSso.of("old", Map.of("sso_start_url", "https://d-92671207e4.awsapps.com/start",
                "sso_region", "us-east-2", "sso_account_id", "1", "sso_role_name", "R"), Map.of(),
                Map.of("HOME", home.toString(), "AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:1"));

        assertThat(session.tokenFile()).isEqualTo(home.resolve(
                ".aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json"));
        assertThat(session.portal()).isEqualTo(URI.create("https://portal.sso.eu-west-1.amazonaws.com"));
        assertThat(legacy.tokenFile().getFileName().toString())
                .isEqualTo("13f9d35043871d073ab260e020f0ffde092cb14b.json");
        assertThat(legacy.portal()).isEqualTo(URI.create("http://127.0.0.1:1"));
        assertThatThrownBy(() -> AwsSso.of("dev", Map.of("sso_session", "other"), SESSIONS, Map.of()))
                .hasMessage("The AWS profile 'dev' names the sso_session 'other', which has no "
                        + "[sso-session other] section");
        assertThatThrownBy(() -> AwsSso.of("dev", Map.of("sso_session", "my-sso", "sso_account_id", "1"), SESSIONS,
                Map.of())).hasMessage("The AWS SSO profile 'dev' has no sso_role_name");
    }

    @Test
    void shouldExchangeTheCachedTokenAtThePortalForTheRolesCredentials() throws IOException {
        try (MockProvider mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build())) {
            AwsSso sso = sso(mock.origin());
            writeToken(sso, MockAwsCredentials.SSO_ACCESS_TOKEN, "2999-01-01T00:00:00Z");

            Expiring<SigV4.Credentials> credentials = sso.fetch(HttpClient.newHttpClient(), Clock.systemUTC(),
                    Runnable::run).toCompletableFuture().join();

            assertThat(credentials.value()).isEqualTo(new SigV4.Credentials(MockSts.ACCESS_KEY_ID,
                    MockSts.SECRET_ACCESS_KEY, MockSts.SESSION_TOKEN));
            assertThat(credentials.expiresInSeconds()).isBetween(3500L, 3600L);
            RecordedRequest exchange = mock.requests().get(0);
            assertThat(exchange.uri()).isEqualTo("/federation/credentials?role_name=Bedrock%20Users"
                    + "&account_id=111122223333");
            assertThat(exchange.header("x-amz-sso_bearer_token")).isEqualTo(MockAwsCredentials.SSO_ACCESS_TOKEN);
        }
    }

    @Test
    void shouldAskForAnSsoLoginWhenTheTokenIsMissingExpiredOrRefused() throws IOException {
        AwsSso sso = sso("http://127.0.0.1:9");
        Instant now = Instant.parse("2025-06-01T12:00:00Z");

        assertThatThrownBy(() -> sso.token(now)).hasMessageStartingWith("The AWS SSO session of the profile 'dev' "
                + "has no cached token (").hasMessageEndingWith(": run `aws sso login --profile dev` where the "
                + "proxy's ~/.aws is");
        writeToken(sso, "old", "2025-06-01T11:59:59UTC");
        assertThatThrownBy(() -> sso.token(now)).hasMessage("The AWS SSO session of the profile 'dev' has a "
                + "cached token that expired at 2025-06-01T11:59:59UTC: run `aws sso login --profile dev` where "
                + "the proxy's ~/.aws is");
        assertThatThrownBy(() -> sso.credentials(401, "{\"message\":\"Session token not found or invalid\"}", now))
                .hasMessageContaining("was refused by the SSO portal (HTTP 401): run `aws sso login");
        assertThat(sso.token(Instant.parse("2025-06-01T11:00:00Z"))).isEqualTo("old");
    }

    private AwsSso sso(String portal) {
        return AwsSso.of("dev", Map.of("sso_session", "my-sso", "sso_account_id", "111122223333",
                "sso_role_name", "Bedrock Users"), SESSIONS, Map.of("HOME", home.toString(),
                "AWS_ENDPOINT_URL", portal));
    }

    private static void writeToken(AwsSso sso, String token, String expiresAt) throws IOException {
        Files.createDirectories(sso.tokenFile().getParent());
        Files.writeString(sso.tokenFile(), "{\"startUrl\": \"https://d-92671207e4.awsapps.com/start\", "
                + "\"region\": \"eu-west-1\", \"accessToken\": \"" + token + "\", \"expiresAt\": \"" + expiresAt
                + "\", \"refreshToken\": \"r\"}");
    }
}
