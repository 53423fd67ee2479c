package dev.llmproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar with a master key, hence with the embedded store: a key generated through {@code /key/generate}
 * makes calls whose spend is only journaled (the batch interval is an hour), then SIGTERM: every call's spend row is
 * in the database afterwards, exactly once.
 */
class SpendShutdownIT {
    private static final Path JAR = Path.of("target", "llmproxy.jar").toAbsolutePath();
    private static final String MASTER = "sk-master-key-of-the-shutdown-test-0000";
    private static final Pattern KEY = Pattern.compile("\"key\":\"(sk-[^\"]+)\"");

    @TempDir
    Path dir;

    private Process proxy;

    @AfterEach
    void kill() {
        if (proxy != null) {
            proxy.destroyForcibly();
        }
    }

    @Test
    void shouldCommitEverySpendRecordOnSigterm() throws Exception {
        try (MockProvider mock = MockProvider.start(MockProviderConfig.defaults())) {
            Path config = Files.writeString(dir.resolve("config.yaml"), """
                    model_list:
                      - model_name: gpt-a
                        litellm_params: {model: openai/gpt-4o-mini, api_base: %s, api_key: sk-up}
                    general_settings:
                      master_key: %s
                      proxy_batch_write_at: 3600
                    """.formatted(mock.baseUrl(), MASTER));
            int port = freePort();
            Path log = dir.resolve("proxy.log");
            proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "-Xmx128m", "-jar", JAR.toString(), "--config", config.toString(), "--host", "127.0.0.1",
                            "--port", Integer.toString(port))
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            await().atMost(Duration.ofSeconds(30)).until(() -> isListening(port) || !proxy.isAlive());
            assertThat(proxy.isAlive()).as("started; log:%n%s", Files.readString(log)).isTrue();
            HttpClient client = HttpClient.newHttpClient();
            String key = keyOf(send(client, port, "/key/generate", "{}", MASTER));

            int calls = 20;
            for (int i = 0; i < calls; i++) {
                assertThat(send(client, port, "/v1/chat/completions",
                        "{\"model\":\"gpt-a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", key)
                        .statusCode()).isEqualTo(200);
            }
            proxy.destroy();
            assertThat(proxy.waitFor(30, TimeUnit.SECONDS)).as("exited on SIGTERM").isTrue();
            assertThat(Files.readString(log)).contains("Stopped");

            try (Connection db = DriverManager.getConnection("jdbc:h2:file:"
                            + dir.resolve("llmproxy-data").resolve("llmproxy").toAbsolutePath()
                            + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "sa", "");
                    Statement s = db.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT request_id) FROM "
                            + "\"LiteLLM_SpendLogs\" WHERE call_type = 'acompletion'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(calls);
                assertThat(rs.getLong(2)).isEqualTo(calls);
            }
        }
    }

    private static HttpResponse<String> send(HttpClient client, int port, String path, String body, String key)
            throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .header("authorization", "Bearer " + key)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String keyOf(HttpResponse<String> generated) {
        Matcher m = KEY.matcher(generated.body());
        assertThat(m.find()).as("a key in %s", generated.body()).isTrue();
        return m.group(1);
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
