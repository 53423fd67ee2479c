package dev.llmproxy.proxy.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sender against a scripted HTTP/1.1 server: one answer per request, as each test's script says. */
class OtlpHttpSenderTest {
    private static final byte[] BODY = "spans".getBytes(StandardCharsets.US_ASCII);

    private ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws IOException {
        server.close();
    }

    @Test
    void shouldReuseOneConnectionWhenTheCollectorKeepsItOpen() throws Exception {
        start("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", false);
        try (OtlpHttpSender sender = sender(Map.of("Authorization", "Basic eA=="))) {
            assertThat(sender.send(BODY, BODY.length)).isTrue();
            assertThat(sender.send(BODY, 3)).isTrue();
        }
        assertThat(connections).hasValue(1);
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0)).startsWith("POST /v1/traces HTTP/1.1\r\n")
                .contains("Content-Type: application/x-protobuf\r\n", "Authorization: Basic eA==\r\n",
                        "Content-Length: 5\r\n")
                .endsWith("\r\n\r\nspans");
        assertThat(requests.get(1)).contains("Content-Length: 3\r\n").endsWith("\r\n\r\nspa");
    }

    @Test
    void shouldResendOnANewConnectionWhenTheCollectorClosedTheIdleOne() throws Exception {
        start("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", true);
        try (OtlpHttpSender sender = sender(Map.of())) {
            assertThat(sender.send(BODY, BODY.length)).isTrue();
            assertThat(sender.send(BODY, BODY.length)).isTrue();
        }
        assertThat(connections).hasValue(2);
    }

    @Test
    void shouldReportFailureWhenTheCollectorRefusesTheExport() throws Exception {
        start("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy", false);
        try (OtlpHttpSender sender = sender(Map.of())) {
            assertThat(sender.send(BODY, BODY.length)).isFalse();
            assertThat(sender.send(BODY, BODY.length)).isFalse();
        }
        assertThat(connections).hasValue(1);
    }

    private OtlpHttpSender sender(Map<String, String> headers) {
        URI endpoint = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/traces");
        return new OtlpHttpSender(new TraceDestination(TraceBackend.OTEL, endpoint, headers,
                Callbacks.Outcomes.BOTH), Duration.ofSeconds(5), false);
    }

    /** Answers every request with {@code answer}; closes the connection after each one when {@code closeAfter}. */
    private void start(String answer, boolean closeAfter) throws IOException {
        server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    connections.incrementAndGet();
                    serve(socket, answer.getBytes(StandardCharsets.US_ASCII), closeAfter);
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void serve(Socket socket, byte[] answer, boolean closeAfter) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        while (true) {
            String request = readRequest(in);
            if (request == null) {
                return;
            }
            requests.add(request);
            out.write(answer);
            out.flush();
            if (closeAfter) {
                return;
            }
        }
    }

    /** The head and body of one request, or null at the end of the stream. */
    private static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int at = text.indexOf("Content-Length: ") + "Content-Length: ".length();
        int length = Integer.parseInt(text.substring(at, text.indexOf("\r\n", at)));
        return text + new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }
}
