package dev.llmproxy.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MockConnectProxyTest {
    private MockProvider mock;
    private MockConnectProxy proxy;

    @BeforeEach
    void start() {
        mock = MockProvider.start(MockProviderConfig.defaults());
        proxy = MockConnectProxy.start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldRelayBytesBothWaysWhenConnectSucceeds() throws Exception {
        String target = "127.0.0.1:" + mock.port();
        try (RawClient raw = new RawClient(proxy.port())) {
            raw.send("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");
            assertThat(raw.readUntil("\r\n\r\n")).isEqualTo("HTTP/1.1 200 Connection Established\r\n\r\n");

            raw.send(RawClient.post("/v1/chat/completions", "{\"model\":\"tunnelled\"}", "Connection: close\r\n"));

            assertThat(raw.readToEnd()).startsWith("HTTP/1.1 200 OK").contains("\"model\":\"tunnelled\"");
        }
        assertThat(proxy.connectCount()).isEqualTo(1);
        assertThat(proxy.connectTargets()).containsExactly(target);
        assertThat(mock.requestsReceived()).isEqualTo(1);
    }

    @Test
    void shouldAnswer502WhenTargetRefusesConnection() throws Exception {
        int closedPort;
        try (java.net.ServerSocket unused = new java.net.ServerSocket(0)) {
            closedPort = unused.getLocalPort();
        }
        try (RawClient raw = new RawClient(proxy.port())) {
            raw.send("CONNECT 127.0.0.1:" + closedPort + " HTTP/1.1\r\n\r\n");

            assertThat(raw.readToEnd()).startsWith("HTTP/1.1 502 Bad Gateway");
        }
        assertThat(proxy.connectCount()).isEqualTo(1);
    }

    @Test
    void shouldAnswer405WhenMethodIsNotConnect() throws Exception {
        try (RawClient raw = new RawClient(proxy.port())) {
            raw.send("GET http://127.0.0.1:" + mock.port() + "/v1/models HTTP/1.1\r\nHost: x\r\n\r\n");

            assertThat(raw.readToEnd()).startsWith("HTTP/1.1 405 Method Not Allowed");
        }
        assertThat(proxy.connectCount()).isZero();
    }
}
