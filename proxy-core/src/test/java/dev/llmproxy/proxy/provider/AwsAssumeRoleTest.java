package dev.llmproxy.proxy.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.bedrock.SigV4;
import dev.llmproxy.proxy.provider.TokenRefresher.Expiring;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** STS's XML answers read as AWS documents them, and the STS region found in an endpoint's host. */
class AwsAssumeRoleTest {
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void shouldReadCredentialsAndTheirLifetimeFromAssumeRoleResponse() {
        Expiring<SigV4.Credentials> credentials = AwsAssumeRole.parse(200, """
                <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleResult>
                    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/demo/s</Arn></AssumedRoleUser>
                    <Credentials>
                      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
                      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
                      <SessionToken>AQoDYXdzEPT//////////wEXAMPLE&amp;=</SessionToken>
                      <Expiration>2026-12-02T11:00:00Z</Expiration>
                    </Credentials>
                  </AssumeRoleResult>
                </AssumeRoleResponse>""", NOW);

        assertThat(credentials.expiresInSeconds()).isEqualTo(3600);
        assertThat(credentials.value().accessKeyId()).isEqualTo("ASIAIOSFODNN7EXAMPLE");
        assertThat(credentials.value().secretAccessKey()).isEqualTo("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
        assertThat(credentials.value().sessionToken()).isEqualTo("AQoDYXdzEPT//////////wEXAMPLE&=");
    }

    @Test
    void shouldFailWithStsCodeAndMessageWhenStsRefuses() {
        assertThatThrownBy(() -> AwsAssumeRole.parse(403, "<ErrorResponse><Error><Type>Sender</Type>"
                + "<Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message>"
                + "</Error></ErrorResponse>", NOW))
                .isInstanceOf(UpstreamAuth.CredentialsException.class)
                .hasMessage("AWS STS did not give credentials (HTTP 403, AccessDenied: User is not authorized to "
                        + "perform: sts:AssumeRole)");
        assertThatThrownBy(() -> AwsAssumeRole.parse(200, "<html>proxy error</html>", NOW))
                .isInstanceOf(UpstreamAuth.CredentialsException.class).hasMessage("AWS STS did not give "
                        + "credentials (HTTP 200)");
    }

    @Test
    void shouldFindTheRegionOfRegionalAndVpcEndpoints() {
        assertThat(AwsAssumeRole.regionOf(URI.create("https://sts.eu-west-1.amazonaws.com"))).isEqualTo("eu-west-1");
        assertThat(AwsAssumeRole.regionOf(URI.create("https://vpce-1a2b.sts.us-east-2.vpce.amazonaws.com")))
                .isEqualTo("us-east-2");
        assertThat(AwsAssumeRole.regionOf(URI.create("https://sts.amazonaws.com"))).isNull();
        assertThat(AwsAssumeRole.regionOf(URI.create("http://127.0.0.1:4566"))).isNull();
    }
}
