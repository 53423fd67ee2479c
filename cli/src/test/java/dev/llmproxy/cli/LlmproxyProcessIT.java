package dev.llmproxy.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * The packaged {@code llmproxy} jar as a user runs it: a separate JVM started with {@code --config}, answering over a
 * real socket, and stopped with SIGTERM.
 */
class LlmproxyProcessIT {
    private static final Path JAR = Path.of("target", "llmproxy.jar");
    private static final Path EXAMPLE_CONFIG = Path.of("..", "conf", "config.example.yaml");

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (Process process : processes) {
            process.destroyForcibly();
        }
    }

    @Test
    void shouldAnswerFromTheExampleConfigWithoutAnyProviderKeyAndCountItInMetrics() throws Exception {
        int port = freePort();
        start(EXAMPLE_CONFIG, port);

        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"chat.completion\"").contains("mock_response");
        // The example names the prometheus callback: the jar's wiring turns /metrics on and counts the call. The
        // call is counted once its last byte is written, which the client may see after reading the answer.
        HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(scrape, HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).containsPattern(
                    "(?m)^litellm_proxy_total_requests_metric_total\\{[^}]*requested_model=\"mock-gpt\"[^}]*} 1\\.0$");
        });
    }

    @Test
    void shouldFinishInFlightStreamThenExitWhenSentSigterm() throws Exception {
        try (MockProvider mock = MockProvider.start(MockProviderConfig.defaults())) {
            Path config = Files.writeString(dir.resolve("config.yaml"), """
                    model_list:
                      - model_name: slow
                        litellm_params:
                          model: openai/slow
                          api_base: %s
                          api_key: sk-test
                    """.formatted(mock.baseUrl()));
            int port = freePort();
            Process proxy = start(config, port);

            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                String body = "{\"model\":\"slow\",\"stream\":true,\"mock_chunks\":10,\"mock_chunk_interval_ms\":150,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n"
                        + "content-length: " + body.getBytes(UTF_8).length + "\r\n\r\n" + body).getBytes(UTF_8));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
                    // Skip the response head and chunk sizes until the first event.
                }
                assertThat(line).as("first event").startsWith("data: ");

                proxy.destroy();

                StringBuilder rest = new StringBuilder();
                while ((line = in.readLine()) != null && !line.equals("0")) {
                    rest.append(line).append('\n');
                }
                assertThat(rest.toString()).contains("data: [DONE]");
            }
            assertThat(proxy.waitFor(15, TimeUnit.SECONDS)).as("exited after draining").isTrue();
            assertThat(Files.readString(dir.resolve("proxy-" + port + ".log"))).contains("Stopped");
            assertThat(mock.streamsCompleted()).isEqualTo(1);
        }
    }

    @Test
    void shouldWriteOnlyJsonLinesAndExportTracesWhenJsonLogsAndOtelAreConfigured() throws Exception {
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger exports = new AtomicInteger();
        collector.createContext("/v1/traces", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exports.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        try {
            Path config = Files.writeString(dir.resolve("config.yaml"), """
                    model_list:
                      - model_name: mock-gpt
                        litellm_params:
                          model: openai/mock-gpt
                          mock_response: hi
                    litellm_settings:
                      callbacks: ["otel", "datadog"]
                      json_logs: true
                    environment_variables:
                      OTEL_EXPORTER_OTLP_ENDPOINT: http://127.0.0.1:%d
                    """.formatted(collector.getAddress().getPort()));
            int port = freePort();
            Process proxy = start(config, port, "--debug");

            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            String callId = response.headers().firstValue("x-litellm-call-id").orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> exports.get() >= 1);
            proxy.destroy();
            assertThat(proxy.waitFor(15, TimeUnit.SECONDS)).isTrue();

            List<Map<String, String>> lines = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve("proxy-" + port + ".log"), UTF_8)) {
                if (!line.isBlank()) {
                    lines.add(jsonObject(line));
                }
            }
            assertThat(lines).anySatisfy(fields -> assertThat(fields).containsEntry("level", "WARNING")
                    .containsEntry("component", "llmproxy")
                    .hasEntrySatisfying("message", message -> assertThat(message).contains("datadog")));
            assertThat(lines).anySatisfy(fields -> assertThat(fields).containsEntry("component", "llmproxy.access")
                    .containsEntry("call_id", callId).containsEntry("status_code", "200"));
            assertThat(lines).allSatisfy(fields -> assertThat(fields).containsKeys("message", "level", "timestamp"));
        } finally {
            collector.stop(0);
        }
    }

    /** One log line as a flat JSON object of strings; fails on anything else. */
    private static Map<String, String> jsonObject(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        try (JsonParser parser = new JsonFactory().createParser(ObjectReadContext.empty(), line)) {
            assertThat(parser.nextToken()).as(line).isEqualTo(JsonToken.START_OBJECT);
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                assertThat(parser.nextToken()).as(line).isEqualTo(JsonToken.VALUE_STRING);
                fields.put(name, parser.getString());
            }
            assertThat(parser.nextToken()).as(line).isNull();
        }
        return fields;
    }

    private Process start(Path config, int port, String... extraArguments) throws IOException {
        Path log = dir.resolve("proxy-" + port + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-jar",
                JAR.toString(),
                "--config",
                config.toString(),
                "--port",
                Integer.toString(port),
                "--drain_seconds",
                "10"));
        command.addAll(List.of(extraArguments));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        processes.add(process);
        await().atMost(Duration.ofSeconds(30)).until(() -> isListening(port) || !process.isAlive());
        assertThat(process.isAlive()).as("llmproxy started; log:%n%s", Files.readString(log)).isTrue();
        return process;
    }

    private static boolean isListening(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
