package dev.llmproxy.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class IpRangeTest {

    @Test
    void shouldMatchOnlyTheAddressWhenNoPrefixIsGiven() throws UnknownHostException {
        IpRange range = IpRange.parse("192.168.1.10");

        assertThat(range.contains(InetAddress.getByName("192.168.1.10"))).isTrue();
        assertThat(range.contains(InetAddress.getByName("192.168.1.11"))).isFalse();
    }

    @Test
    void shouldMatchEveryAddressOfTheBlockWhenPrefixIsGiven() throws UnknownHostException {
        IpRange range = IpRange.parse("10.20.0.0/14");

        assertThat(range.contains(InetAddress.getByName("10.20.0.1"))).isTrue();
        assertThat(range.contains(InetAddress.getByName("10.23.255.255"))).isTrue();
        assertThat(range.contains(InetAddress.getByName("10.24.0.0"))).isFalse();
        assertThat(IpRange.parse("0.0.0.0/0").contains(InetAddress.getByName("203.0.113.9"))).isTrue();
    }

    @Test
    void shouldMatchIpv6BlocksAndIpv4MappedAddresses() throws UnknownHostException {
        assertThat(IpRange.parse("fd00::/8").contains(InetAddress.getByName("fd12:3456::1"))).isTrue();
        assertThat(IpRange.parse("fd00::/8").contains(InetAddress.getByName("fe80::1"))).isFalse();
        assertThat(IpRange.parse("::1").contains(InetAddress.getByName("::1"))).isTrue();
        assertThat(IpRange.parse("10.0.0.0/8").contains(InetAddress.getByName("::ffff:10.1.2.3"))).isTrue();
        assertThat(IpRange.parse("10.0.0.0/8").contains(InetAddress.getByName("fd00::1"))).isFalse();
    }

    @Test
    void shouldRefuseNamesShortFormsAndPrefixesOutOfRange() {
        assertThatThrownBy(() -> IpRange.parse("localhost")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> IpRange.parse("cafe")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> IpRange.parse("10.1")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> IpRange.parse("256.1.1.1")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> IpRange.parse("10.0.0.0/33")).hasMessageContaining("at most 32");
        assertThatThrownBy(() -> IpRange.parse("fd00::/129")).hasMessageContaining("at most 128");
        assertThatThrownBy(() -> IpRange.parse("10.0.0.0/x")).hasMessageContaining("must be a number");
        assertThat(IpRange.literal("example.com")).isNull();
    }
}
