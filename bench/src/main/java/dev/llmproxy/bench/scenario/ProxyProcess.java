package dev.llmproxy.bench.scenario;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An llmproxy process under test: {@code java <options> -jar <jar> --config <yaml> --port <port> --host 127.0.0.1},
 * with a generated LiteLLM config whose models point at the mock ({@code bench-model} in every config), its output
 * going to a log file. {@link #start} returns once a chat completion for {@code bench-model} through the proxy
 * succeeds.
 *
 * <p>Thread-safety: {@link #close()} may be called from any thread (including a shutdown hook), once or more.
 */
public final class ProxyProcess implements AutoCloseable {

    /** The model name the generated config exposes. */
    public static final String MODEL = "bench-model";

    private final Process process;
    private final int port;
    private final List<String> command;

    private ProxyProcess(Process process, int port, List<String> command) {
        this.process = process;
        this.port = port;
        this.command = command;
    }

    /**
     * Writes the config into {@code workDir}, starts the proxy and waits until it answers.
     *
     * @param javaOptions JVM options, one per element
     * @param pinning prefixes the command with {@code taskset} when enabled
     * @throws IllegalStateException if the proxy exits or does not answer within a minute or so
     */
    public static ProxyProcess start(Path jar, List<String> javaOptions, String mockBaseUrl, Path workDir,
            CpuPinning pinning) {
        return start(jar, javaOptions, "proxy", config(mockBaseUrl, FeatureSetup.origin(mockBaseUrl)), Map.of(),
                Map.of(), workDir, pinning);
    }

    /**
     * Writes {@code configYaml} into {@code workDir} as {@code <name>-config.yaml}, starts the proxy with {@code env}
     * added to the bench's environment, its output in {@code <name>.log}, and waits until a chat completion sent with
     * {@code readyHeaders} succeeds.
     *
     * @throws IllegalStateException if the proxy exits or does not answer within a minute or so
     */
    public static ProxyProcess start(Path jar, List<String> javaOptions, String name, String configYaml,
            Map<String, String> env, Map<String, String> readyHeaders, Path workDir, CpuPinning pinning) {
        requireNonNull(jar, "jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("proxy jar not found: " + jar + " (build it, or pass --proxy-url)");
        }
        try {
            Path config = workDir.resolve(name + "-config.yaml");
            Files.writeString(config, configYaml, UTF_8);
            int port = ChildProcesses.freePort();
            List<String> java = new ArrayList<>();
            java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            java.addAll(javaOptions);
            java.addAll(List.of("-jar", jar.toString(), "--config", config.toString(), "--port",
                    Integer.toString(port), "--host", "127.0.0.1"));
            List<String> command = pinning.proxyCommand(java);
            Path log = workDir.resolve(name + ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            ProxyProcess proxy = new ProxyProcess(process, port, command);
            ChildProcesses.awaitReady(name, process, port, MODEL, readyHeaders, log);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the proxy", e);
        }
    }

    /**
     * The LiteLLM config the proxy under test is started with: {@code bench-model}, and the models of the features
     * scenario (a model costs nothing until it is called).
     */
    static String config(String mockBaseUrl, String mockOrigin) {
        return "model_list:\n" + benchModel(mockBaseUrl) + FeatureSetup.models(mockBaseUrl, mockOrigin);
    }

    /** The {@code model_list} entry of {@code bench-model}, a pass-through to the mock. */
    static String benchModel(String mockBaseUrl) {
        return "  - model_name: " + MODEL + "\n"
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
        ChildProcesses.stop(process);
    }
}
