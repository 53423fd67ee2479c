package dev.llmproxy.proxy.upstream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.proxy.server.ProxyFixture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pooled upstream connections: a stale one is replaced transparently, and host names go through the resolver. */
class UpstreamConnectionReuseTest {
    private static final String ANSWER = "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";

    @TempDir
    Path dir;

    @Test
    void shouldRetryOnFreshConnectionWhenPooledConnectionWasClosedByProvider() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // Answers the first request of each connection with a keep-alive response and closes the connection
            // when the next request arrives, unanswered: the race every pool meets when a provider's idle timeout
            // fires just as the connection is reused.
            Thread server = new Thread(() -> serveOneRequestPerConnection(upstream, connections));
            server.setDaemon(true);
            server.start();
            try (ProxyFixture proxy = ProxyFixture.start(dir, """
                    model_list:
                      - model_name: flaky
                        litellm_params:
                          model: openai/flaky
                          api_base: http://127.0.0.1:%d/v1
                          api_key: sk-x
                    """.formatted(upstream.getLocalPort()))) {
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> response = proxy.chat("flaky");
                    assertThat(response.statusCode()).as("request %d", i).isEqualTo(200);
                    assertThat(response.body()).isEqualTo(ANSWER);
                }
            }
        }
        assertThat(connections.get()).isEqualTo(3);
    }

    @Test
    void shouldResolveHostNamesWhenApiBaseNamesLocalhost() {
        try (MockProvider mock = MockProvider.start(MockProviderConfig.defaults());
                ProxyFixture proxy = ProxyFixture.start(dir, """
                        model_list:
                          - model_name: by-name
                            litellm_params:
                              model: openai/by-name
                              api_base: http://localhost:%d/v1
                              api_key: sk-x
                        """.formatted(mock.port()))) {
            HttpResponse<String> response = proxy.chat("by-name");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"object\":\"chat.completion\"");
        }
    }

    /** Reads a request head and returns its content length. */
    private static int readHead(BufferedReader in) throws IOException {
        int contentLength = 0;
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                contentLength = Integer.parseInt(line.substring(15).trim());
            }
        }
        return contentLength;
    }

    private static void serveOneRequestPerConnection(ServerSocket upstream, AtomicInteger connections) {
        while (!upstream.isClosed()) {
            try (Socket socket = upstream.accept()) {
                connections.incrementAndGet();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
                in.skip(readHead(in));
                byte[] body = ANSWER.getBytes(UTF_8);
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " + body.length
                        + "\r\n\r\n").getBytes(UTF_8));
                out.write(body);
                out.flush();
                readHead(in);
            } catch (IOException e) {
                return;
            }
        }
    }
}
