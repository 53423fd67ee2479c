package dev.llmproxy.bench.scenario;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The llmproxy process under test: {@code java <options> -jar <jar> --config <yaml> --port <port> --host 127.0.0.1},
 * with a generated LiteLLM config whose one model ({@code bench-model}) points at the mock, its output going to a log
 * file. {@link #start} returns once a chat completion through the proxy succeeds.
 *
 * <p>Thread-safety: {@link #close()} may be called from any thread (including a shutdown hook), once or more.
 */
public final class ProxyProcess implements AutoCloseable {

    /** The model name the generated config exposes. */
    public static final String MODEL = "bench-model";

    /** Readiness probes 200 ms apart (each times out after 5 s): at least a minute before giving up. */
    private static final int READY_ATTEMPTS = 300;

    private final Process process;
    private final int port;
    private final List<String> command;
    private final Path log;

    private ProxyProcess(Process process, int port, List<String> command, Path log) {
        this.process = process;
        this.port = port;
        this.command = command;
        this.log = log;
    }

    /**
     * Writes the config into {@code workDir}, starts the proxy and waits until it answers.
     *
     * @param javaOptions JVM options, split on whitespace
     * @param pinning prefixes the command with {@code taskset} when enabled
     * @throws IllegalStateException if the proxy exits or does not answer within a minute or so
     */
    public static ProxyProcess start(Path jar, String javaOptions, String mockBaseUrl, Path workDir,
            CpuPinning pinning) {
        requireNonNull(jar, "jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("proxy jar not found: " + jar + " (build it, or pass --proxy-url)");
        }
        try {
            Path config = workDir.resolve("proxy-config.yaml");
            Files.writeString(config, config(mockBaseUrl), UTF_8);
            int port = freePort();
            List<String> java = new ArrayList<>();
            java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (String option : javaOptions.trim().split("\\s+")) {
                if (!option.isEmpty()) {
                    java.add(option);
                }
            }
            java.addAll(List.of("-jar", jar.toString(), "--config", config.toString(), "--port",
                    Integer.toString(port), "--host", "127.0.0.1"));
            List<String> command = pinning.proxyCommand(java);
            Path log = workDir.resolve("proxy.log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            ProxyProcess proxy = new ProxyProcess(process, port, command, log);
            proxy.awaitReady();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the proxy", e);
        }
    }

    /** The LiteLLM config the proxy is started with. */
    static String config(String mockBaseUrl) {
        return "model_list:\n"
                + "  - model_name: " + MODEL + "\n"
                + "    litellm_params: {model: openai/mock-model, api_base: \"" + mockBaseUrl
                + "\", api_key: sk-mock}\n";
    }

    /** The proxy's pid. */
    public long pid() {
        return process.pid();
    }

    /** The loopback address the proxy listens on. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** The full command line, for the report. */
    public List<String> command() {
        return command;
    }

    /** Stops the proxy: SIGTERM, then SIGKILL after 10 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + Target.PATH))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
        String last = "no answer";
        for (int attempt = 0; attempt < READY_ATTEMPTS; attempt++) {
            if (!process.isAlive()) {
                throw new IllegalStateException("proxy exited with " + process.exitValue() + "; log:\n" + logTail());
            }
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = "HTTP " + response.statusCode() + ": " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while waiting for the proxy", e);
            }
            try {
                process.waitFor(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        close();
        throw new IllegalStateException("proxy not ready after " + READY_ATTEMPTS + " probes (" + last
                + "); log:\n" + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
