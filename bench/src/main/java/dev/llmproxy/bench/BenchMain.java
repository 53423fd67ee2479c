package dev.llmproxy.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.llmproxy.bench.load.LoadGenerator;
import dev.llmproxy.bench.load.LoadGeneratorConfig;
import dev.llmproxy.bench.load.ProcessStats;
import dev.llmproxy.bench.load.Ticker;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.scenario.BenchReport;
import dev.llmproxy.bench.scenario.CpuPinning;
import dev.llmproxy.bench.scenario.Feature;
import dev.llmproxy.bench.scenario.FeatureSetup;
import dev.llmproxy.bench.scenario.Lineup;
import dev.llmproxy.bench.scenario.MachineInfo;
import dev.llmproxy.bench.scenario.NginxProcess;
import dev.llmproxy.bench.scenario.ProxyProcess;
import dev.llmproxy.bench.scenario.ReportWriter;
import dev.llmproxy.bench.scenario.Scenario;
import dev.llmproxy.bench.scenario.ScenarioOptions;
import dev.llmproxy.bench.scenario.ScenarioResults;
import dev.llmproxy.bench.scenario.ScenarioRunner;
import dev.llmproxy.bench.scenario.SoakRunner;
import dev.llmproxy.bench.scenario.UploadRunner;
import dev.llmproxy.bench.scenario.SpeechDownload;
import dev.llmproxy.bench.scenario.Target;
import dev.llmproxy.bench.scenario.Targets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark command: starts the mock provider in-process, the proxy as a separate (pinned) process and, when
 * installed, nginx {@code proxy_pass} as a baseline; runs the scenarios direct-to-mock, through the proxy and through
 * nginx, and writes {@code <output>/<timestamp>/report.md} and
 * {@code report.json}.
 *
 * <p>Thread-safety: a command object, used once from the main thread.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmarks llmproxy (and nginx as a baseline) against a direct connection to an in-process "
                + "mock OpenAI provider.")
public final class BenchMain implements Callable<Integer> {

    private static final String PROXY_JAVA_OPTS_ENV = "LLMPROXY_BENCH_PROXY_JAVA_OPTS";

    @Option(names = "--quick", description = "Smoke run of about a minute (short windows).")
    boolean quick;

    @Option(names = "--scenarios", split = ",", description = "Scenarios to run: ${COMPLETION-CANDIDATES} "
            + "(default: all).")
    @Nullable List<Scenario> scenarios;

    @Option(names = "--connections", split = ",", description = "Closed-loop connection counts (default 32,128).")
    @Nullable List<Integer> connections;

    @Option(names = "--rates", split = ",", description = "Open-loop rates in req/s (default 200,2000).")
    @Nullable List<Integer> rates;

    @Option(names = "--streams", split = ",", description = "Concurrent stream counts (default 1,300).")
    @Nullable List<Integer> streams;

    @Option(names = "--latency-connections", description = "Most concurrent requests in an open-loop run "
            + "(default 64).")
    @Nullable Integer latencyConnections;

    @Option(names = "--throughput-seconds", description = "Window per throughput run (default 10, quick 2).")
    @Nullable Double throughputSeconds;

    @Option(names = "--latency-seconds", description = "Window per latency run (default 15, quick 3).")
    @Nullable Double latencySeconds;

    @Option(names = "--streaming-seconds", description = "Window per streaming run (default 10, quick 3).")
    @Nullable Double streamingSeconds;

    @Option(names = "--warmup-seconds", description = "Warm-up before each run (default 3, quick 1).")
    @Nullable Double warmupSeconds;

    @Option(names = "--initial-warmup-seconds", description = "Warm-up of both targets before the first scenario "
            + "(default 10, quick 2).")
    @Nullable Double initialWarmupSeconds;

    @Option(names = "--proxy-jar", defaultValue = "cli/target/llmproxy.jar",
            description = "The llmproxy jar (default: ${DEFAULT-VALUE}).")
    Path proxyJar = Path.of("cli/target/llmproxy.jar");

    @Option(names = "--proxy-java-opts", description = "JVM options of the proxy process, space-separated "
            + "(default: env " + PROXY_JAVA_OPTS_ENV + ", else the lines of conf/jvm.options).")
    @Nullable String proxyJavaOpts;

    @Option(names = "--nginx", negatable = true, description = "Also measure nginx proxy_pass to the mock as a "
            + "baseline (default: on when nginx is on PATH; --no-nginx skips it).")
    @Nullable Boolean nginx;

    @Option(names = "--repeat", defaultValue = "1", description = "Measure every point this many times per target, "
            + "alternating the target order; the report shows medians and ranges (default 1).")
    int repeat = 1;

    @Option(names = "--proxy-url", hidden = true,
            description = "Benchmark an already running OpenAI-compatible proxy on loopback (e.g. http://127.0.0.1:4000)"
                    + " instead of launching llmproxy; it must route --proxy-model to this run's mock.")
    @Nullable URI proxyUrl;

    @Option(names = "--proxy-pid", description = "With --proxy-url: the proxy's pid, for CPU and memory figures.")
    @Nullable Long proxyPid;

    @Option(names = "--proxy-model", defaultValue = ProxyProcess.MODEL,
            description = "Model name sent to the proxy (default: ${DEFAULT-VALUE}).")
    String proxyModel = ProxyProcess.MODEL;

    @Option(names = "--mock-port", defaultValue = "0",
            description = "Port of the in-process mock (default 0: ephemeral; fix it for an external proxy).")
    int mockPort;

    @Option(names = "--no-pin", description = "Do not pin the proxy and the bench JVM to separate CPUs.")
    boolean noPin;

    @Option(names = "--load-threads", defaultValue = "1", description = "Load generator event loop threads "
            + "(default 1).")
    int loadThreads = 1;

    @Option(names = "--mock-threads", defaultValue = "1", description = "Mock provider event loop threads "
            + "(default 1).")
    int mockThreads = 1;

    @Option(names = "--soak-minutes", description = "Instead of the scenarios: a soak of the proxy alone for this "
            + "many minutes (mixed traffic with provider and client faults, RSS over time and after a minute idle, "
            + "errors by kind, leak reports; the proxy runs with Netty's advanced leak detection). Writes soak.md.")
    @Nullable Double soakMinutes;

    @Option(names = "--upload-mb", description = "Instead of the scenarios: one multipart transcription upload of "
            + "this many MB through a fresh proxy, the proxy's peak RSS growth measured (issue 11's goal: under 32 MB "
            + "for 100 MB). Takes seconds. Writes upload.md.")
    @Nullable Integer uploadMegabytes;
    @Option(names = "--speech-download-mb", description = "Instead of the scenarios: one text-to-speech download of "
            + "this many MiB of audio through a freshly started proxy, with the proxy's peak RSS growth against the "
            + "32 MiB bound (runs in seconds). Writes speech.md.")
    @Nullable Integer speechDownloadMb;

    @Option(names = "--features", split = ",", description = "With the FEATURES scenario: the feature groups to "
            + "measure: ${COMPLETION-CANDIDATES} (default: all).")
    @Nullable List<FeatureSetup.Group> featureGroups;

    @Option(names = "--keys-database-url", defaultValue = "postgresql://postgres@127.0.0.1:5432/test",
            description = "With the KEYS features: the PostgreSQL database of the keys proxy (default: "
                    + "${DEFAULT-VALUE}); the keys it makes are deleted at the end.")
    String keysDatabaseUrl = "postgresql://postgres@127.0.0.1:5432/test";

    @Option(names = "--keys", defaultValue = "10000", description = "With the KEYS features: how many virtual keys "
            + "to make and send in turn (default ${DEFAULT-VALUE}).")
    int keyCount = 10_000;

    @Option(names = "--output-dir", defaultValue = "bench-results",
            description = "Where the timestamped report directory goes (default: ${DEFAULT-VALUE}).")
    Path outputDir = Path.of("bench-results");

    /** Runs the command and exits with its status. */
    public static void main(String[] args) {
        CommandLine commandLine = new CommandLine(new BenchMain());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        System.exit(commandLine.execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Map<String, String> machine = MachineInfo.collect();
        CpuPinning pinning = CpuPinning.pinSelf(!noPin);
        ScenarioOptions options = options();
        // The results directory is named in the operator's local time.
        ZonedDateTime started = ZonedDateTime.now(ZoneId.systemDefault());
        Path dir = Files.createDirectories(outputDir.resolve(
                started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        MockProviderConfig mockConfig = MockProviderConfig.builder().port(mockPort).eventLoopThreads(mockThreads)
                .streamChunks(options.streamChunks())
                .streamChunkIntervalMillis(options.streamInterval().toMillis()).stampChunks(true).build();
        Path nginxBinary = nginxBinary();
        List<AutoCloseable> children = new CopyOnWriteArrayList<>();
        Thread hook = new Thread(() -> closeAll(children), "bench-children-stopper");
        Runtime.getRuntime().addShutdownHook(hook);
        try (MockProvider mock = MockProvider.start(mockConfig);
                LoadGenerator generator = LoadGenerator.start(
                        new LoadGeneratorConfig(loadThreads, Duration.ofSeconds(5), Ticker.system()))) {
            Target direct = new Target("direct", loopback(mock.port()), "mock-model", null);
            if (soakMinutes != null) {
                return soak(soakMinutes, dir, mock, generator, children, pinning);
            }
            if (uploadMegabytes != null) {
                return upload(uploadMegabytes, dir, mock, children, pinning);
            }
            if (speechDownloadMb != null) {
                return speechDownload(speechDownloadMb, dir, mock, children, pinning);
            }
            JavaOptions javaOptions = proxyUrl == null ? javaOptions() : null;
            ProxyProcess process = javaOptions == null ? null
                    : started(children, ProxyProcess.start(proxyJar, javaOptions.options(), mock.baseUrl(), dir,
                            pinning));
            NginxProcess nginxProcess = nginxBinary == null ? null : started(children, NginxProcess.start(nginxBinary,
                    direct.address(), pinning.isEnabled() ? CpuPinning.PROXY_CPU : null, dir));
            long pid = process != null ? process.pid() : proxyPid == null ? -1 : proxyPid;
            ProcessStats stats = pid > 0 ? ProcessStats.of(pid) : null;
            ProcessStats nginxStats = nginxProcess == null ? null : ProcessStats.of(nginxProcess.workerPid());
            Target proxy = new Target(process != null ? "llmproxy" : "proxy",
                    process != null ? process.address() : external(), proxyModel, stats);
            Lineup lineup = new Lineup(direct, proxy,
                    nginxProcess == null ? null
                            : new Target("nginx", nginxProcess.address(), "mock-model", nginxStats));
            Map<String, String> setup = setup(options, pinning, pid, mock, generator, proxy, process, javaOptions);
            nginxSetup(setup, nginxBinary, nginxProcess, nginxStats);
            System.err.println("pinning: " + setup.get("pinning"));
            List<Feature> features = List.of();
            if (options.scenarios().contains(Scenario.FEATURES)) {
                if (process == null || javaOptions == null) {
                    throw new CommandLine.ParameterException(new CommandLine(this),
                            "--scenarios FEATURES starts proxies of its own: it cannot run with --proxy-url");
                }
                FeatureSetup featureSetup = started(children, FeatureSetup.start(
                        featureGroups == null ? EnumSet.allOf(FeatureSetup.Group.class) : EnumSet.copyOf(featureGroups),
                        proxy, proxyJar, javaOptions.options(), mock.baseUrl(), dir, pinning, keysDatabaseUrl,
                        keyCount, children::add));
                features = featureSetup.features();
                setup.putAll(featureSetup.setup());
            }
            ScenarioResults results = new ScenarioRunner(generator, lineup, options, features, System.err).run();
            Long peakRss = stats == null ? null : stats.peakRssBytes();
            Long nginxRss = nginxStats == null ? null : nginxStats.peakRssBytes();
            BenchReport report = new BenchReport(started.toOffsetDateTime().toString(), machine, setup, results,
                    proxy.name(), peakRss, nginxRss, Targets.evaluate(results, peakRss, nginxRss));
            write(dir, report);
            return 0;
        } finally {
            closeAll(children);
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    /** Runs {@link UploadRunner} against a freshly started proxy, and writes upload.md. */
    private int upload(int megabytes, Path dir, MockProvider mock, List<AutoCloseable> children, CpuPinning pinning)
            throws IOException {
        ProxyProcess process = started(children, UploadRunner.startProxy(proxyJar, javaOptions().options(),
                mock.baseUrl(), dir, pinning));
        UploadRunner.Result result = new UploadRunner(process.address(), ProcessStats.of(process.pid()))
                .run(megabytes);
        String markdown = result.markdown() + "\nProxy: `" + String.join(" ", process.command()) + "`\n";
        Files.writeString(dir.resolve("upload.md"), markdown, UTF_8);
        System.out.print(markdown);
        System.err.println("wrote " + dir.resolve("upload.md"));
        return 0;
    }

    /** Runs {@link SoakRunner} against a freshly started proxy with leak detection on, and writes soak.md. */
    private int soak(double minutes, Path dir, MockProvider mock, LoadGenerator generator,
            List<AutoCloseable> children, CpuPinning pinning) throws IOException {
        List<String> javaOptions = new ArrayList<>(javaOptions().options());
        javaOptions.add("-Dio.netty.leakDetection.level=advanced");
        ProxyProcess process = started(children, ProxyProcess.start(proxyJar, javaOptions, mock.baseUrl(), dir,
                pinning));
        Target proxy = new Target("llmproxy", process.address(), proxyModel, ProcessStats.of(process.pid()));
        SoakRunner.Options soakOptions = new SoakRunner.Options(Duration.ofSeconds(Math.round(minutes * 60)),
                Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(10), 16);
        SoakRunner.Result result = new SoakRunner(generator, proxy, soakOptions, System.err).run();
        long leaks;
        try (var lines = Files.lines(dir.resolve("proxy.log"), UTF_8)) {
            leaks = lines.filter(line -> line.contains("LEAK:")).count();
        }
        String markdown = "# llmproxy soak, " + minutes + " min\n\nProxy: `" + String.join(" ", process.command())
                + "`\n\n" + SoakRunner.markdown(result, leaks);
        Files.writeString(dir.resolve("soak.md"), markdown, UTF_8);
        System.out.print(markdown);
        System.err.println("wrote " + dir.resolve("soak.md"));
        return 0;
    }

    /** Runs {@link SpeechDownload} against a freshly started proxy and writes speech.md; fails past the bound. */
    private int speechDownload(int mebibytes, Path dir, MockProvider mock, List<AutoCloseable> children,
            CpuPinning pinning) throws IOException {
        JavaOptions javaOptions = javaOptions();
        ProxyProcess process = started(children, ProxyProcess.start(proxyJar, javaOptions.options(), mock.baseUrl(),
                dir, pinning));
        Target proxy = new Target("llmproxy", process.address(), proxyModel, ProcessStats.of(process.pid()));
        SpeechDownload.Result result;
        try {
            result = new SpeechDownload(proxy, ProcessStats.of(process.pid()), System.err).run((long) mebibytes << 20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String markdown = "# llmproxy speech download\n\nProxy: `" + String.join(" ", process.command())
                + "`\n\n" + result.markdown();
        Files.writeString(dir.resolve("speech.md"), markdown, UTF_8);
        System.out.print(markdown);
        System.err.println("wrote " + dir.resolve("speech.md"));
        return result.passed() ? 0 : 1;
    }

    private static void write(Path dir, BenchReport report) throws IOException {
        String markdown = ReportWriter.markdown(report);
        Files.writeString(dir.resolve("report.md"), markdown, UTF_8);
        Files.writeString(dir.resolve("report.json"), ReportWriter.json(report), UTF_8);
        System.out.print(markdown);
        System.err.println("wrote " + dir.resolve("report.md") + " and report.json");
    }

    /** Registers a started child process for stopping (at the end, or by the shutdown hook) and returns it. */
    private static <C extends AutoCloseable> C started(List<AutoCloseable> children, C child) {
        children.add(child);
        return child;
    }

    /** Stops the child processes, newest first; each close is idempotent and stops its process within 15 s. */
    private static void closeAll(List<AutoCloseable> children) {
        for (int i = children.size() - 1; i >= 0; i--) {
            try {
                children.get(i).close();
            } catch (Exception e) {
                System.err.println("bench: cannot stop a child process: " + e);
            }
        }
    }

    /** The nginx binary to use, or null (saying why) when nginx is off or not installed. */
    private @Nullable Path nginxBinary() {
        if (Boolean.FALSE.equals(nginx)) {
            return null;
        }
        Optional<Path> binary = NginxProcess.find();
        if (binary.isEmpty()) {
            if (Boolean.TRUE.equals(nginx)) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--nginx: no nginx on PATH (install it: apt-get install nginx-light)");
            }
            System.err.println("bench: nginx not on PATH, running without the nginx baseline "
                    + "(apt-get install nginx-light to add it)");
        }
        return binary.orElse(null);
    }

    /** The proxy's JVM options: --proxy-java-opts, else env LLMPROXY_BENCH_PROXY_JAVA_OPTS, else conf/jvm.options. */
    private JavaOptions javaOptions() {
        if (proxyJavaOpts != null) {
            return new JavaOptions(JvmOptionsFile.split(proxyJavaOpts), "--proxy-java-opts");
        }
        String env = System.getenv(PROXY_JAVA_OPTS_ENV);
        if (env != null) {
            return new JavaOptions(JvmOptionsFile.split(env), "env " + PROXY_JAVA_OPTS_ENV);
        }
        return new JavaOptions(JvmOptionsFile.read(JvmOptionsFile.DEFAULT),
                JvmOptionsFile.DEFAULT + ", the options bin/llmproxy uses");
    }

    private ScenarioOptions options() {
        ScenarioOptions base = quick ? ScenarioOptions.quick() : ScenarioOptions.full();
        return new ScenarioOptions(
                scenarios == null ? base.scenarios() : EnumSet.copyOf(scenarios),
                connections == null ? base.connections() : connections,
                rates == null ? base.rates() : rates,
                latencyConnections == null ? base.latencyConnections() : latencyConnections,
                streams == null ? base.streams() : streams,
                base.streamChunks(),
                base.streamInterval(),
                seconds(initialWarmupSeconds, base.initialWarmup()),
                seconds(warmupSeconds, base.warmup()),
                seconds(throughputSeconds, base.throughputDuration()),
                seconds(latencySeconds, base.latencyDuration()),
                seconds(streamingSeconds, base.streamingDuration()),
                repeat);
    }

    private Map<String, String> setup(ScenarioOptions options, CpuPinning pinning, long pid, MockProvider mock,
            LoadGenerator generator, Target proxy, @Nullable ProxyProcess process,
            @Nullable JavaOptions javaOptions) {
        Map<String, String> setup = new LinkedHashMap<>();
        setup.put("mode", quick ? "quick" : "full");
        setup.put("direct target", "mock " + mock.baseUrl() + ", model mock-model, " + mockThreads
                + " event loop thread(s), in the bench JVM");
        if (process != null && javaOptions != null) {
            setup.put("proxy target", "llmproxy " + proxy.address() + ", model " + proxy.model() + ", pid " + pid);
            setup.put("proxy command", String.join(" ", process.command()));
            setup.put("proxy JVM options", String.join(" ", javaOptions.options()) + " (from "
                    + javaOptions.source() + ")");
            setup.put("proxy JVM", MachineInfo.jvm() + ", the bench's own java binary");
        } else {
            setup.put("proxy target", "external " + proxyUrl + ", model " + proxy.model()
                    + (pid > 0 ? ", pid " + pid : ", pid unknown (no CPU/RSS figures)"));
        }
        setup.put("pinning", pinning.describe(pid));
        setup.put("load generator", generator.transport() + ", " + loadThreads + " event loop thread(s), "
                + "HTTP/1.1 keep-alive, in the bench JVM");
        setup.put("scenarios", options.scenarios() + ", each point " + options.repeat() + " time(s) per target");
        setup.put("windows", "initial warm-up " + options.initialWarmup().toMillis() + " ms; per run warm-up "
                + options.warmup().toMillis() + " ms; throughput " + options.throughputDuration().toMillis()
                + " ms, latency " + options.latencyDuration().toMillis() + " ms, streaming "
                + options.streamingDuration().toMillis() + " ms per run");
        setup.put("streams", options.streamChunks() + " chunks " + options.streamInterval().toMillis()
                + " ms apart (mock first-chunk delay " + mock.config().streamFirstChunkDelayMillis() + " ms)");
        setup.put("open loop", "up to " + options.latencyConnections() + " connections; latency from intended "
                + "send time");
        return setup;
    }

    private static void nginxSetup(Map<String, String> setup, @Nullable Path binary, @Nullable NginxProcess nginx,
            @Nullable ProcessStats worker) {
        if (binary == null || nginx == null || worker == null) {
            setup.put("nginx target", "not run");
            return;
        }
        setup.put("nginx target", NginxProcess.version(binary) + " " + nginx.address() + ", proxy_pass to the mock "
                + "(model mock-model), 1 worker, pid " + nginx.workerPid() + ", allowed CPUs "
                + worker.allowedCpus());
        setup.put("nginx command", String.join(" ", nginx.command()));
    }

    private InetSocketAddress external() {
        URI url = proxyUrl;
        if (url == null || url.getHost() == null || url.getPort() < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--proxy-url: " + url + " (expected: http://127.0.0.1:PORT)");
        }
        return new InetSocketAddress(url.getHost(), url.getPort());
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** JVM options and where they came from, for the report. */
    private record JavaOptions(List<String> options, String source) {
    }

    private static Duration seconds(@Nullable Double value, Duration fallback) {
        return value == null ? fallback : Duration.ofMillis(Math.round(value * 1000));
    }
}
