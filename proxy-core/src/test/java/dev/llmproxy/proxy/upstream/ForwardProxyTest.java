package dev.llmproxy.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ForwardProxyTest {
    private static final String PROXY = "http://proxy.corp:3128";

    @Test
    void shouldTunnelNothingWhenNoVariableIsSet() {
        ForwardProxy settings = ForwardProxy.fromEnvironment(Map.of());

        assertThat(settings.proxyFor(https("api.openai.com"))).isNull();
        assertThat(settings.proxyFor(http("api.openai.com"))).isNull();
        assertThat(ForwardProxy.NONE.proxyFor(https("api.openai.com"))).isNull();
    }

    @Test
    void shouldPickProxyBySchemeWhenBothVariablesAreSet() {
        ForwardProxy settings = ForwardProxy.fromEnvironment(
                Map.of("HTTPS_PROXY", "http://secure:1", "HTTP_PROXY", "http://plain:2"));

        assertThat(settings.proxyFor(https("api.openai.com")))
                .isEqualTo(new ForwardProxy.ProxyAddress("secure", 1, null, null));
        assertThat(settings.proxyFor(http("api.openai.com")))
                .isEqualTo(new ForwardProxy.ProxyAddress("plain", 2, null, null));
    }

    @Test
    void shouldReadLowerCaseVariablesWhenUpperCaseAreAbsentOrBlank() {
        ForwardProxy settings = ForwardProxy.fromEnvironment(
                Map.of("HTTPS_PROXY", " ", "https_proxy", PROXY, "no_proxy", "internal"));

        assertThat(settings.proxyFor(https("api.openai.com"))).hasToString(PROXY);
        assertThat(settings.proxyFor(https("internal"))).isNull();
    }

    @Test
    void shouldDefaultToPort80AndHttpWhenUrlHasNeitherSchemeNorPort() {
        ForwardProxy settings = ForwardProxy.fromEnvironment(Map.of("HTTPS_PROXY", "proxy.corp"));

        assertThat(settings.proxyFor(https("x")))
                .isEqualTo(new ForwardProxy.ProxyAddress("proxy.corp", 80, null, null));
    }

    @Test
    void shouldKeepCredentialsWhenUrlHasUserInfo() {
        ForwardProxy settings = ForwardProxy.fromEnvironment(Map.of("HTTPS_PROXY", "http://alice:s3cret@proxy:8080"));

        ForwardProxy.ProxyAddress proxy = settings.proxyFor(https("x"));

        assertThat(proxy).isEqualTo(new ForwardProxy.ProxyAddress("proxy", 8080, "alice", "s3cret"));
        assertThat(proxy.toString()).doesNotContain("s3cret");
    }

    @Test
    void shouldUseEmptyPasswordWhenUserInfoHasNoColon() {
        ForwardProxy settings = ForwardProxy.fromEnvironment(Map.of("HTTPS_PROXY", "http://alice@proxy:8080"));

        assertThat(settings.proxyFor(https("x"))).isEqualTo(new ForwardProxy.ProxyAddress("proxy", 8080, "alice", ""));
    }

    @ParameterizedTest
    @CsvSource({
        "api.corp.example, corp.example, true",
        "api.corp.example, .corp.example, true",
        "corp.example, .corp.example, true",
        "corp.example, corp.example, true",
        "notcorp.example, corp.example, false",
        "API.Corp.Example, CORP.example, true",
        "10.0.0.7, 10.0.0.7, true",
        "10.0.0.70, 10.0.0.7, false",
        "anything.at.all, *, true",
        "api.openai.com, 'localhost, 127.0.0.1 ,.internal', false",
        "svc.internal, 'localhost, 127.0.0.1 ,.internal', true",
        "127.0.0.1, 'localhost, 127.0.0.1 ,.internal', true"})
    void shouldBypassProxyExactlyWhenHostMatchesNoProxy(String host, String noProxy, boolean bypassed) {
        ForwardProxy settings = ForwardProxy.fromEnvironment(Map.of("HTTPS_PROXY", PROXY, "NO_PROXY", noProxy));

        assertThat(settings.proxyFor(https(host)) == null).isEqualTo(bypassed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://proxy:3128", "socks5://proxy:1080", "http://", "http://[bad"})
    void shouldRejectVariableNamingItWhenProxyUrlIsNotHttpHostPort(String url) {
        assertThatThrownBy(() -> ForwardProxy.fromEnvironment(Map.of("HTTPS_PROXY", url)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("HTTPS_PROXY: ");
    }

    private static Origin https(String host) {
        return new Origin(true, host, 443, TlsPolicy.VERIFY);
    }

    private static Origin http(String host) {
        return new Origin(false, host, 80, TlsPolicy.VERIFY);
    }
}
