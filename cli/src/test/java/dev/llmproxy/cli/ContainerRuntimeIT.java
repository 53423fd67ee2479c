package dev.llmproxy.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image's runtime without Docker (issue 12): {@code deploy/build-runtime.sh} assembles
 * {@code /opt/llmproxy} (jlink'ed runtime, jar, JVM options, entrypoint) from the packaged jar, exactly as the
 * Dockerfile's build stage does, and {@code deploy/docker-entrypoint.sh} starts llmproxy from it and answers the
 * HEALTHCHECK. Prints the tree's size, the image's size less the base image's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerRuntimeIT {
    private static final Path JAR = Path.of("target", "llmproxy.jar");
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final long MIB = 1024 * 1024;
    /**
     * The image target is 150 MB; debian:bookworm-slim takes about 75 MB of it, which leaves this for the runtime
     * and the jar.
     */
    private static final long MAX_TREE_BYTES = 75 * MIB;
    private static final String MASTER_KEY = "sk-container-test-0123456789abcdef";

    private Path dir;
    private Path home;
    private MockProvider mock;

    @BeforeAll
    void buildRuntime(@TempDir Path tempDir) throws Exception {
        dir = tempDir.toRealPath();
        home = dir.resolve("opt").resolve("llmproxy");
        ProcessBuilder build = new ProcessBuilder(
                "bash", DEPLOY.resolve("build-runtime.sh").toString(), JAR.toString(), home.toString());
        build.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Result result = run(build, Duration.ofMinutes(3));
        assertThat(result.exitCode()).as("build-runtime.sh:%n%s", result.output()).isZero();
        System.out.println("ContainerRuntimeIT: " + result.output().strip());
        mock = MockProvider.start(MockProviderConfig.builder().tls(true).build());
    }

    @AfterAll
    void stopMock() {
        if (mock != null) {
            mock.close();
        }
    }

    @Test
    void shouldFitTheImageSizeTarget() throws IOException {
        long runtime = bytes(home.resolve("runtime"));
        long jar = Files.size(home.resolve("llmproxy.jar"));
        long tree = bytes(home);
        System.out.printf("ContainerRuntimeIT: runtime %.1f MiB + jar %.1f MiB = /opt/llmproxy %.1f MiB%n",
                runtime / (double) MIB, jar / (double) MIB, tree / (double) MIB);

        assertThat(tree).as("/opt/llmproxy bytes").isLessThan(MAX_TREE_BYTES);
    }

    @Test
    void shouldHoldOnlyTheListedModules() throws Exception {
        Result modules = run(new ProcessBuilder(java().toString(), "--list-modules"), Duration.ofSeconds(30));

        assertThat(modules.output()).contains("java.base@", "java.xml@", "jdk.crypto.ec@", "jdk.unsupported@")
                .doesNotContain("java.desktop@", "jdk.compiler@", "jdk.jdeps@");
    }

    @Test
    void shouldServeThroughTheEntrypointAndStopOnSigterm() throws Exception {
        int port = freePort();
        ProcessBuilder start = entrypoint(port);
        start.environment().put("LLMPROXY_HOST", "127.0.0.1");
        start.environment().put("LITELLM_MASTER_KEY", MASTER_KEY);
        Path log = dir.resolve("llmproxy.log");
        Process llmproxy = start.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> health(port) == 0 || !llmproxy.isAlive());
            assertThat(llmproxy.isAlive()).as("llmproxy started; log:%n%s", Files.readString(log)).isTrue();
            assertThat(llmproxy.info().command()).as("the entrypoint exec'd java, which gets docker stop's SIGTERM")
                    .hasValue(java().toString());

            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                            .timeout(Duration.ofSeconds(10))
                            .header("authorization", "Bearer " + MASTER_KEY)
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tls-provider\","
                                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("over TLS to the provider: %s", response.body()).isEqualTo(200);

            llmproxy.destroy();
            assertThat(llmproxy.waitFor(20, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
            assertThat(Files.readString(log)).contains("Stopped");
            assertThat(health(port)).as("health check once stopped").isNotZero();
        } finally {
            llmproxy.destroyForcibly();
        }
    }

    @Test
    void shouldRefuseAllInterfacesWithoutMasterKey() throws Exception {
        ProcessBuilder start = entrypoint(freePort());
        start.environment().remove("LITELLM_MASTER_KEY");
        start.environment().remove("LLMPROXY_HOST");

        Result result = run(start, Duration.ofSeconds(30));

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("refusing to listen on 0.0.0.0 without a master key");
    }

    private ProcessBuilder entrypoint(int port) throws IOException {
        Path config = Files.writeString(dir.resolve("config-" + port + ".yaml"), """
                model_list:
                  - model_name: tls-provider
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %s
                      api_key: sk-provider
                      ssl_verify: %s
                """.formatted(mock.baseUrl(), mock.certificatePemPath()));
        ProcessBuilder builder = new ProcessBuilder("bash", home.resolve("docker-entrypoint.sh").toString());
        // The image's WORKDIR holds the data (the embedded store when a master key is set); here the test's directory.
        builder.directory(dir.toFile());
        Map<String, String> env = builder.environment();
        env.put("LLMPROXY_HOME", home.toString());
        env.put("CONFIG_FILE_PATH", config.toString());
        env.put("PORT", Integer.toString(port));
        env.put("LLMPROXY_JAVA_OPTS", "-XX:+UseSerialGC -Xmx128m");
        return builder;
    }

    /** Runs the HEALTHCHECK command; returns its exit status. */
    private int health(int port) throws Exception {
        ProcessBuilder check = new ProcessBuilder("bash", home.resolve("docker-entrypoint.sh").toString(), "health");
        check.environment().put("PORT", Integer.toString(port));
        check.environment().put("LLMPROXY_HOST", "127.0.0.1");
        return run(check, Duration.ofSeconds(10)).exitCode();
    }

    private Path java() throws IOException {
        return home.resolve("runtime").resolve("bin").resolve("java").toRealPath();
    }

    private Result run(ProcessBuilder builder, Duration timeout) throws IOException, InterruptedException {
        Path output = Files.createTempFile(dir, "run-", ".out");
        Process process = builder.redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        String text = Files.readString(output, UTF_8);
        return ended
                ? new Result(process.exitValue(), text)
                : new Result(-1, text + "\n(timed out after " + timeout + ")");
    }

    private static long bytes(Path tree) throws IOException {
        try (Stream<Path> files = Files.walk(tree)) {
            List<Path> regular = files.filter(Files::isRegularFile).toList();
            long sum = 0;
            for (Path file : regular) {
                sum += Files.size(file);
            }
            return sum;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private record Result(int exitCode, String output) {}
}
