package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.llmproxy.bench.mock.BedrockExchanges;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images by URL to {@code bedrock/} deployments over real sockets: Converse takes bytes only, so the proxy downloads
 * each URL (from a local HTTP server here) before it signs and sends the request to the mock, and answers 400 naming
 * the URL when the download fails: an error status, a content type that is not an image, a body over the limit.
 */
class ProxyServerBedrockMediaTest {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;
    private HttpServer images;

    @BeforeEach
    void setUp() throws IOException {
        images = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        images.createContext("/cat.png", exchange -> answer(exchange.getResponseHeaders(), exchange, "image/png", PNG));
        images.createContext("/page", exchange -> answer(exchange.getResponseHeaders(), exchange,
                "text/html; charset=utf-8", "<html></html>".getBytes(StandardCharsets.UTF_8)));
        images.createContext("/huge.jpg", exchange -> {
            exchange.getResponseHeaders().set("content-type", "image/jpeg");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                byte[] block = new byte[64 * 1024];
                for (int i = 0; i < 100; i++) {
                    out.write(block);
                }
            } catch (IOException e) {
                // The proxy stops reading once the body is over its limit.
                exchange.close();
            }
        });
        images.start();
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: claude
                    litellm_params:
                      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0
                      api_base: %1$s
                      aws_access_key_id: %2$s
                      aws_secret_access_key: %3$s
                      aws_region_name: us-east-1
                """.formatted(mock.origin(), BedrockExchanges.ACCESS_KEY_ID, BedrockExchanges.SECRET_ACCESS_KEY))
                .env(Map.of())
                .start();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
        images.stop(0);
    }

    private static void answer(com.sun.net.httpserver.Headers headers, com.sun.net.httpserver.HttpExchange exchange,
            String type, byte[] body) throws IOException {
        headers.set("content-type", type);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + images.getAddress().getPort() + path;
    }

    private static String chatWithImage(String url) {
        return "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
                + "\"What is this?\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + url + "\"}}]}]}";
    }

    @Test
    void shouldSendTheDownloadedBytesOfAnImageUrl() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions", chatWithImage(url("/cat.png")));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(mock.requests()).hasSize(1);
        assertThat(mock.requests().get(0).body()).isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"text\":\"What is this?\"},{\"image\":{\"format\":\"png\",\"source\":{\"bytes\":\""
                + Base64.getEncoder().encodeToString(PNG) + "\"}}}]}]}");
    }

    @Test
    void shouldSendABase64DataUrlAsItIs() {
        HttpResponse<String> response = proxy.post("/v1/chat/completions",
                chatWithImage("data:image/webp;base64,UklGRg=="));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(mock.requests().get(0).body()).contains("{\"image\":{\"format\":\"webp\",\"source\":"
                + "{\"bytes\":\"UklGRg==\"}}}");
    }

    @Test
    void shouldAnswer400NamingTheUrlWhenTheDownloadFails() {
        HttpResponse<String> missing = proxy.post("/v1/chat/completions", chatWithImage(url("/nothing.png")));
        HttpResponse<String> page = proxy.post("/v1/chat/completions", chatWithImage(url("/page")));
        HttpResponse<String> huge = proxy.post("/v1/chat/completions", chatWithImage(url("/huge.jpg")));

        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("Unable to fetch the image at " + url("/nothing.png")
                + ": the server answered HTTP 404");
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.body()).contains("its content type 'text/html' is not an image Bedrock takes");
        assertThat(huge.statusCode()).isEqualTo(400);
        assertThat(huge.body()).contains("Unable to fetch the image at " + url("/huge.jpg")
                + ": it is larger than 5242880 bytes");
        assertThat(mock.requests()).isEmpty();
    }
}
