package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.config.ClientIpSettings;
import dev.llmproxy.proxy.config.IpRange;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class ClientIpPolicyTest {
    private static final InetSocketAddress NGINX = new InetSocketAddress("127.0.0.1", 50000);
    private static final InetSocketAddress STRANGER = new InetSocketAddress("198.51.100.7", 50000);

    @Test
    void shouldTakeThePeerWhenForwardedForIsOff() throws UnknownHostException {
        ClientIpPolicy policy = policy(null, false);

        assertThat(policy.clientAddress(NGINX, forwardedFor("203.0.113.5"))).isEqualTo(address("127.0.0.1"));
    }

    @Test
    void shouldTakeTheRightmostUntrustedEntryWhenPeerIsTrustedProxy() throws UnknownHostException {
        ClientIpPolicy policy = policy(null, true);

        assertThat(policy.clientAddress(NGINX, forwardedFor("10.9.9.9, 203.0.113.5"))).isEqualTo(
                address("203.0.113.5"));
        assertThat(policy.clientAddress(NGINX, forwardedFor("203.0.113.5, 127.0.0.1"))).isEqualTo(
                address("203.0.113.5"));
        HttpHeaders twoLines = new DefaultHttpHeaders().add("X-Forwarded-For", "192.0.2.1")
                .add("X-Forwarded-For", "203.0.113.5");
        assertThat(policy.clientAddress(NGINX, twoLines)).isEqualTo(address("203.0.113.5"));
    }

    @Test
    void shouldIgnoreForwardedForWhenPeerIsNotTrusted() throws UnknownHostException {
        ClientIpPolicy policy = policy(null, true);

        assertThat(policy.clientAddress(STRANGER, forwardedFor("10.0.0.1"))).isEqualTo(address("198.51.100.7"));
    }

    @Test
    void shouldHaveNoClientWhenTrustedProxyForwardsSomethingElseThanAnAddress() {
        ClientIpPolicy policy = policy(List.of(IpRange.parse("0.0.0.0/0")), true);

        assertThat(policy.clientAddress(NGINX, forwardedFor("unknown"))).isNull();
        assertThat(policy.allows(NGINX, forwardedFor("unknown"))).isFalse();
    }

    @Test
    void shouldAllowOnlyListedClientsWhenAllowedIpsIsSet() {
        ClientIpPolicy policy = policy(List.of(IpRange.parse("203.0.113.0/24")), true);

        assertThat(policy.allows(NGINX, forwardedFor("203.0.113.5"))).isTrue();
        assertThat(policy.allows(NGINX, forwardedFor("192.0.2.1"))).isFalse();
        assertThat(policy.allows(NGINX, new DefaultHttpHeaders())).as("nginx itself").isFalse();
        assertThat(policy.allows(STRANGER, forwardedFor("203.0.113.5"))).as("a forged header").isFalse();
        assertThat(new ClientIpPolicy(ClientIpSettings.DEFAULTS).allows(STRANGER, new DefaultHttpHeaders())).isTrue();
    }

    private static ClientIpPolicy policy(@Nullable List<IpRange> allowed, boolean useForwardedFor) {
        return new ClientIpPolicy(new ClientIpSettings(allowed, useForwardedFor, IpRange.LOOPBACK));
    }

    private static HttpHeaders forwardedFor(String value) {
        return new DefaultHttpHeaders().set("X-Forwarded-For", value);
    }

    private static InetAddress address(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }
}
