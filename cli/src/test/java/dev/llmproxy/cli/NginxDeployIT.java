package dev.llmproxy.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code conf/nginx.conf} under the real nginx, in front of the packaged llmproxy jar and a mock provider,
 * all on 127.0.0.1 (issue 12). nginx is required: CI installs it ({@code .ci/run}), so a missing nginx fails here.
 *
 * <p>One nginx, llmproxy and mock serve the whole class, because starting them is most of the cost. The order
 * matters twice: the SIGTERM test stops llmproxy, and the rate-limit test uses up this client's burst; both come
 * last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NginxDeployIT {
    private static final Path JAR = Path.of("target", "llmproxy.jar");
    private static final String HELLO = "[{\"role\":\"user\",\"content\":\"Hello\"}]";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern CONTENT_LENGTH =
            Pattern.compile("(?i)\r\ncontent-length: *(\\d+)\r\n");
    private static final String ERROR_SHAPE =
            "\\{\"error\":\\{\"message\":\"[^\"]+\",\"type\":\"%s\",\"param\":null,\"code\":\"%d\"}}\\n?";

    private Path dir;
    private MockProvider mock;
    private Process llmproxy;
    private ShippedNginx nginx;
    private ShippedNginx.Ports ports;
    private ShippedNginx.Result configTest;
    private SSLContext tls;
    private HttpClient client;

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        Path executable = ShippedNginx.find().orElseThrow(() -> new AssertionError(
                "nginx is not installed (looked on the PATH and in /usr/sbin): apt-get install nginx-light;"
                        + " .ci/run installs it"));
        mock = MockProvider.start(MockProviderConfig.defaults());
        ports = new ShippedNginx.Ports(freePort(), freePort(), freePort());
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir, Instant.now());
        tls = certificate.clientContext();
        client = HttpClient.newBuilder()
                .sslContext(tls)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();

        Path nginxDir = Files.createDirectories(dir.resolve("nginx"));
        Path config = ShippedNginx.writeConfig(nginxDir, ports, certificate);
        configTest = ShippedNginx.configTest(executable, config);
        assertThat(configTest.exitCode()).as("nginx -t:%n%s", configTest.output()).isZero();

        llmproxy = startLlmproxy();
        nginx = ShippedNginx.start(executable, config, ports);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (nginx != null) {
                nginx.close();
            }
        } finally {
            if (llmproxy != null) {
                llmproxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            if (mock != null) {
                mock.close();
            }
        }
    }

    @Test
    @Order(1)
    void shouldPassNginxConfigTestWithoutWarningsWhenAdaptedOnlyInPortsAndPaths() {
        assertThat(configTest.output()).contains("test is successful").doesNotContain("[warn]", "[emerg]");
    }

    @Test
    @Order(2)
    void shouldAnswerChatOverHttps() throws Exception {
        HttpResponse<String> response = client.send(chat("{\"model\":\"mock\",\"messages\":" + HELLO + "}"),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"chat.completion\"");
        assertThat(response.headers().firstValue("x-litellm-call-id")).isPresent();
    }

    @Test
    @Order(3)
    void shouldDeliverStreamedChunksAsTheProviderProducesThem() throws Exception {
        int chunks = 6;
        long intervalMillis = 300;
        HttpResponse<InputStream> response = client.send(
                chat("{\"model\":\"mock\",\"stream\":true,\"mock_chunks\":" + chunks + ",\"mock_chunk_interval_ms\":"
                        + intervalMillis + ",\"messages\":" + HELLO + "}"),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));

        List<Long> arrivalsMillis = new ArrayList<>();
        boolean done = false;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("data: {")) {
                    arrivalsMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
                } else if (line.equals("data: [DONE]")) {
                    done = true;
                }
            }
        }

        assertThat(done).as("data: [DONE]").isTrue();
        assertThat(arrivalsMillis).hasSizeGreaterThanOrEqualTo(chunks);
        long spanMillis = arrivalsMillis.get(arrivalsMillis.size() - 1) - arrivalsMillis.get(0);
        // Produced over (chunks - 1) intervals = 1.5 s; buffered by nginx they would arrive within a few ms of each
        // other. Half the span and half the gaps allow for a loaded machine.
        assertThat(spanMillis).as("first to last chunk, ms").isGreaterThanOrEqualTo((chunks - 1) * intervalMillis / 2);
        long spacedGaps = 0;
        for (int i = 1; i < arrivalsMillis.size(); i++) {
            if (arrivalsMillis.get(i) - arrivalsMillis.get(i - 1) >= intervalMillis / 3) {
                spacedGaps++;
            }
        }
        assertThat(spacedGaps).as("gaps of at least %d ms in %s", intervalMillis / 3, arrivalsMillis)
                .isGreaterThanOrEqualTo((chunks - 1) / 2);
    }

    @Test
    @Order(4)
    void shouldRefuseOversizedBodyWith413Json() throws Exception {
        try (SSLSocket socket = openTls()) {
            // Announces 33 MB, one more than client_max_body_size, and sends none of it: nginx decides on the header.
            send(socket, "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + (33 * 1024 * 1024) + "\r\nConnection: close\r\n\r\n");
            String response = readResponse(socket.getInputStream());

            assertThat(response).startsWith("HTTP/1.1 413 ").containsIgnoringCase("content-type: application/json");
            assertThat(body(response)).matches(ERROR_SHAPE.formatted("bad_request_error", 413));
        }
    }

    @Test
    @Order(5)
    void shouldRedirectHttpToHttpsExceptAcmeChallenges() throws Exception {
        HttpResponse<String> redirect = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.http() + "/v1/models?x=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> challenge = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + ports.http() + "/.well-known/acme-challenge/token")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(redirect.statusCode()).isEqualTo(301);
        assertThat(redirect.headers().firstValue("location")).hasValue("https://127.0.0.1/v1/models?x=1");
        assertThat(challenge.statusCode()).as("served from the webroot, not redirected").isEqualTo(404);
    }

    @Test
    @Order(6)
    void shouldCloseProviderStreamWhenClientDisconnectsMidStream() throws Exception {
        long completedBefore = mock.streamsCompleted();
        long cancelledBefore = mock.streamsCancelled();
        try (SSLSocket socket = openTls()) {
            // 100 chunks 100 ms apart: 10 s, far longer than the wait below.
            BufferedReader in = startStream(socket, 100, 100);
            assertThat(readUntilEvent(in)).startsWith("data: {");
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> mock.streamsCancelled() == cancelledBefore + 1);
        assertThat(mock.streamsCompleted()).isEqualTo(completedBefore);
    }

    @Test
    @Order(7)
    void shouldFinishInFlightStreamWhenLlmproxyGetsSigtermThenAnswer502Json() throws Exception {
        long completedBefore = mock.streamsCompleted();
        try (SSLSocket socket = openTls()) {
            BufferedReader in = startStream(socket, 10, 150);
            assertThat(readUntilEvent(in)).startsWith("data: {");

            llmproxy.destroy();

            StringBuilder rest = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null && !line.equals("0")) {
                rest.append(line).append('\n');
            }
            assertThat(rest.toString()).contains("data: [DONE]");
        }
        assertThat(llmproxy.waitFor(15, TimeUnit.SECONDS)).as("llmproxy exited after draining").isTrue();
        assertThat(mock.streamsCompleted()).isEqualTo(completedBefore + 1);

        HttpResponse<String> down = client.send(chat("{\"model\":\"mock\",\"messages\":" + HELLO + "}"),
                HttpResponse.BodyHandlers.ofString());
        assertThat(down.statusCode()).isEqualTo(502);
        assertThat(down.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(down.body()).matches(ERROR_SHAPE.formatted("api_connection_error", 502));
    }

    @Test
    @Order(8)
    void shouldAnswer429JsonWhenTheBurstIsUsed() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + ports.https() + "/v1/models"))
                .timeout(REQUEST_TIMEOUT)
                .build();
        int accepted = 0;
        HttpResponse<String> limited = null;
        while (limited == null && accepted < 40) {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 429) {
                limited = response;
            } else {
                accepted++;
            }
        }

        // burst=20 with nodelay lets 21 requests through at once from a fresh state; the earlier tests' requests,
        // seconds ago at 100 a minute, have mostly leaked out of the bucket.
        assertThat(accepted).as("requests let through before the first 429").isBetween(12, 21);
        assertThat(limited).as("a 429 within 40 requests").isNotNull();
        assertThat(limited.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(limited.headers().firstValue("retry-after")).hasValue("1");
        assertThat(limited.body()).matches(ERROR_SHAPE.formatted("rate_limit_error", 429));
    }

    private HttpRequest chat(String body) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + ports.https() + "/v1/chat/completions"))
                .timeout(REQUEST_TIMEOUT)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private SSLSocket openTls() throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", ports.https());
        socket.setSoTimeout((int) REQUEST_TIMEOUT.toMillis());
        socket.startHandshake();
        return socket;
    }

    private static BufferedReader startStream(SSLSocket socket, int chunks, long intervalMillis) throws IOException {
        String body = "{\"model\":\"mock\",\"stream\":true,\"mock_chunks\":" + chunks + ",\"mock_chunk_interval_ms\":"
                + intervalMillis + ",\"messages\":" + HELLO + "}";
        send(socket, "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.getBytes(UTF_8).length + "\r\nConnection: close\r\n\r\n" + body);
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
    }

    /** Skips the response head and chunk sizes; returns the first {@code data:} line, or null at the end. */
    private static String readUntilEvent(BufferedReader in) throws IOException {
        String line;
        while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
            assertThat(line).doesNotStartWith("HTTP/1.1 4").doesNotStartWith("HTTP/1.1 5");
        }
        return line;
    }

    private static void send(SSLSocket socket, String request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(UTF_8));
        out.flush();
    }

    /**
     * Reads one response with a Content-Length body. Not to the end of the stream: after refusing a body nginx keeps
     * the connection open for a while (lingering close) to read what the client still sends.
     */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) {
                return head.toString();
            }
            head.append((char) b);
        }
        Matcher length = CONTENT_LENGTH.matcher(head);
        int bodyBytes = length.find() ? Integer.parseInt(length.group(1)) : 0;
        return head + new String(in.readNBytes(bodyBytes), UTF_8);
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    private Process startLlmproxy() throws IOException {
        Path config = Files.writeString(dir.resolve("config.yaml"), """
                model_list:
                  - model_name: mock
                    litellm_params:
                      model: openai/mock
                      api_base: %s
                      api_key: sk-test
                """.formatted(mock.baseUrl()));
        Path log = dir.resolve("llmproxy.log");
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx128m",
                        "-jar",
                        JAR.toString(),
                        "--config",
                        config.toString(),
                        "--host",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(ports.llmproxy()),
                        "--drain_seconds",
                        "10")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ShippedNginx.isListening(ports.llmproxy()) || !process.isAlive());
        assertThat(process.isAlive()).as("llmproxy started; log:%n%s", Files.readString(log)).isTrue();
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
