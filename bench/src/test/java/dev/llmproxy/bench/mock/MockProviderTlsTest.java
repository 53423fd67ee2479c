package dev.llmproxy.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MockProviderTlsTest {
    private MockProvider mock;

    @BeforeEach
    void start() {
        mock = MockProvider.start(MockProviderConfig.builder().tls(true).streamChunkIntervalMillis(0).build());
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    @Test
    void shouldServeHttpsWhenClientTrustsGeneratedCertificate() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trusting(mock.certificatePemPath())).build();

        HttpResponse<String> response = client.send(chat("https://localhost:" + mock.port() + "/v1"),
                HttpResponse.BodyHandlers.ofString());

        assertThat(mock.baseUrl()).startsWith("https://127.0.0.1:");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
    }

    @Test
    void shouldAcceptIpAddressWhenClientVerifiesHostname() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trusting(mock.certificatePemPath())).build();

        HttpResponse<String> response = client.send(chat(mock.baseUrl()), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(mock.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    }

    @Test
    void shouldRejectHandshakeWhenClientDoesNotTrustCertificate() {
        HttpClient client = HttpClient.newHttpClient();

        assertThatThrownBy(() -> client.send(chat(mock.baseUrl()), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void shouldTunnelHttpsWhenClientUsesConnectProxy() throws Exception {
        try (MockConnectProxy proxy = MockConnectProxy.start()) {
            HttpClient client = HttpClient.newBuilder()
                    .sslContext(trusting(mock.certificatePemPath()))
                    .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy.port())))
                    .build();

            HttpResponse<String> response = client.send(chat("https://localhost:" + mock.port() + "/v1"),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).endsWith("data: [DONE]\n\n");
            assertThat(proxy.connectCount()).isEqualTo(1);
            assertThat(proxy.connectTargets()).containsExactly("localhost:" + mock.port());
        }
    }

    @Test
    void shouldDeleteCertificateFileWhenClosed() {
        Path pem = mock.certificatePemPath();
        assertThat(pem).exists();

        mock.close();

        assertThat(pem).doesNotExist();
    }

    private static HttpRequest chat(String baseUrl) {
        return HttpRequest.newBuilder(URI.create(baseUrl + "/chat/completions"))
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"stream\":true,\"mock_chunks\":2}"))
                .build();
    }

    private static SSLContext trusting(Path pem) throws Exception {
        X509Certificate certificate;
        try (InputStream in = Files.newInputStream(pem)) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
        trustStore.load(null, null);
        trustStore.setCertificateEntry("mock", certificate);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
