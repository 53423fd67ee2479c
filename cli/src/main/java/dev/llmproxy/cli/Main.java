package dev.llmproxy.cli;

import dev.llmproxy.proxy.auth.MasterKeyAuthenticator;
import dev.llmproxy.proxy.call.Version;
import dev.llmproxy.proxy.config.CallbackSettings;
import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.config.GeneralSettings;
import dev.llmproxy.proxy.config.PrometheusSettings;
import dev.llmproxy.proxy.config.ProxyConfig;
import dev.llmproxy.proxy.metrics.MetricFilter;
import dev.llmproxy.proxy.metrics.MetricsSettings;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.server.ClientTimeouts;
import dev.llmproxy.proxy.server.CorsPolicy;
import dev.llmproxy.proxy.server.ProxyServer;
import dev.llmproxy.proxy.server.ServerComponents;
import dev.llmproxy.proxy.server.ServerSettings;
import dev.llmproxy.proxy.trace.Callbacks;
import dev.llmproxy.proxy.trace.TraceSettings;
import dev.llmproxy.proxy.upstream.ForwardProxy;
import dev.llmproxy.store.StoreException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llmproxy --config config.yaml --port 4000}: the LiteLLM-compatible proxy server. */
@Command(
        name = "llmproxy",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        subcommands = ImportLiteLlmCommand.class,
        description = "An OpenAI-compatible LLM gateway that reads the LiteLLM proxy's config.yaml.")
public final class Main implements Callable<Integer> {
    static final int EXIT_CONFIG = 1;
    static final int EXIT_UNSAFE = 2;
    static final int EXIT_BIND = 3;
    static final int EXIT_STORE = 4;

    @Option(names = "--config", description = "LiteLLM config.yaml (env CONFIG_FILE_PATH)")
    @Nullable Path config;

    @Option(names = "--port", description = "port to listen on (env PORT; default 4000)")
    @Nullable Integer port;

    @Option(names = "--host", description = "address to bind (default 0.0.0.0 with a master key, else 127.0.0.1)")
    @Nullable String host;

    @Option(names = "--num_workers", description = "event loop threads (default: one per core)")
    @Nullable Integer numWorkers;

    @Option(names = "--drain_seconds", description = "on SIGTERM, how long in-flight requests may finish (default 30)")
    int drainSeconds = 30;

    @Option(names = "--keepalive_timeout",
            description = "seconds an idle client connection stays open (env KEEPALIVE_TIMEOUT; default 75)")
    @Nullable Integer keepaliveTimeout;

    @Option(names = "--check", description = "load and validate the config, report unset environment variables "
            + "and unsupported providers, and exit (non-zero on errors) without starting the server")
    boolean check;

    @Option(names = "--debug", description = "log each request")
    boolean debug;

    @Option(names = "--detailed_debug", description = "log everything llmproxy does")
    boolean detailedDebug;

    /** "sk-" and 21 more characters: about 126 bits when they are random hex or base64. */
    static final int MIN_MASTER_KEY_LENGTH = 24;

    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;

    Main(Map<String, String> env, PrintWriter err) {
        this(env, new PrintWriter(new OutputStreamWriter(System.out, Charset.defaultCharset()), true), err);
    }

    Main(Map<String, String> env, PrintWriter out, PrintWriter err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    Map<String, String> env() {
        return env;
    }

    PrintWriter out() {
        return out;
    }

    PrintWriter err() {
        return err;
    }

    /** Runs the command; exits the JVM with its status unless the server keeps running. */
    public static void main(String[] args) {
        // The charset System.err itself encodes with on JDK 17 (the locale's): messages echo the user's input.
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, Charset.defaultCharset()), true);
        CommandLine command = new CommandLine(new Main(System.getenv(), err)).setErr(err)
                .addSubcommand(new CopilotCommand(System.getenv(), System.out));
        int status = command.execute(args);
        boolean subcommand = command.getParseResult() != null && command.getParseResult().subcommand() != null;
        if (status != 0 || subcommand || command.isUsageHelpRequested() || command.isVersionHelpRequested()) {
            System.exit(status);
        }
    }

    @Override
    public Integer call() {
        LogSetup.apply(LogSetup.level(env, detailedDebug));
        Path configPath = config != null ? config : pathFromEnv();
        if (configPath == null) {
            err.println("llmproxy: no config file: pass --config config.yaml (or set CONFIG_FILE_PATH)");
            return EXIT_CONFIG;
        }
        if (check) {
            return new ConfigCheckReport(out).run(configPath, env);
        }
        ProxyConfig loaded;
        RouteTable routes;
        ForwardProxy proxies;
        try {
            loaded = ConfigLoader.load(configPath, env);
            routes = RouteTable.build(loaded);
            proxies = ForwardProxy.fromEnvironment(loaded.environment());
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("llmproxy: " + e.getMessage());
            return EXIT_CONFIG;
        }
        CallbackSettings callbackSettings = loaded.litellmSettings().callbacks();
        if (LogSetup.jsonRequested(callbackSettings.jsonLogs(), loaded.environment())) {
            LogSetup.useJson();
        }
        Logger log = LoggerFactory.getLogger("llmproxy");
        Callbacks callbacks = Callbacks.of(callbackSettings.callbacks(), callbackSettings.successCallbacks(),
                callbackSettings.failureCallbacks());
        TraceSettings tracing;
        try {
            tracing = TraceSettings.fromEnvironment(callbacks, loaded.environment());
        } catch (IllegalArgumentException e) {
            err.println("llmproxy: " + e.getMessage());
            return EXIT_CONFIG;
        }
        if (!callbacks.unsupported().isEmpty()) {
            log.warn("Callbacks llmproxy does not support, ignored: {} (supported: prometheus, otel, mlflow, "
                    + "langfuse, langfuse_otel)", String.join(", ", callbacks.unsupported()));
        }
        tracing.warnings().forEach(warning -> log.warn("{}", warning));
        List<String> ignored = loaded.ignoredKeys().stream()
                .filter(key -> !StoreWiring.SETTINGS.contains(key))
                .toList();
        if (!ignored.isEmpty()) {
            log.warn("Ignoring config keys llmproxy does not implement yet: {}", String.join(", ", ignored));
        }
        ClientTimeouts timeouts;
        try {
            timeouts = clientTimeouts(loaded.generalSettings());
        } catch (IllegalArgumentException e) {
            err.println("llmproxy: " + e.getMessage());
            return EXIT_CONFIG;
        }
        String masterKey = loaded.generalSettings().masterKey();
        String bindHost = chooseHost(masterKey);
        if (bindHost == null) {
            return EXIT_UNSAFE;
        }
        ServerSettings settings = new ServerSettings(
                bindHost,
                choosePort(),
                numWorkers != null ? numWorkers : Runtime.getRuntime().availableProcessors(),
                (int) Math.min(Integer.MAX_VALUE - 8, loaded.generalSettings().maxRequestBodyBytes()),
                32 * 1024,
                Duration.ofSeconds(drainSeconds),
                timeouts,
                loaded.generalSettings().maxUploadBytes() > 0 ? loaded.generalSettings().maxUploadBytes()
                        : ServerSettings.DEFAULT_MAX_UPLOAD_BYTES);
        StoreWiring store;
        try {
            store = StoreWiring.open(loaded, routes, env, Clock.systemUTC());
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("llmproxy: " + e.getMessage());
            return EXIT_CONFIG;
        } catch (StoreException e) {
            Throwable cause = e.getCause();
            err.println("llmproxy: cannot open the database: " + e.getMessage()
                    + (cause != null ? " (" + cause.getMessage() + ")" : ""));
            return EXIT_STORE;
        }
        ProxyServer server;
        try {
            ServerComponents.Builder components = ServerComponents.builder(settings, routes,
                            store != null ? store.authenticator() : new MasterKeyAuthenticator(masterKey))
                    .forwardProxy(proxies)
                    .reliability(loaded.reliability())
                    .tracing(tracing)
                    .requestBufferBytes(loaded.generalSettings().maxBufferedRequestBytes())
                    .routerSettings(loaded.routerSettings())
                    .healthChecks(loaded.generalSettings().healthChecks())
                    .passThroughEndpoints(loaded.generalSettings().passThroughEndpoints(), loaded.environment())
                    .cors(CorsPolicy.of(loaded.generalSettings().corsAllowOrigins(),
                            loaded.generalSettings().corsAllowCredentials()))
                    .clientIps(loaded.generalSettings().clientIps())
                    .prices(store != null ? store.prices() : StoreWiring.prices(loaded));
            // As in LiteLLM, Prometheus metrics are recorded and served only when "prometheus" is a callback.
            if (callbacks.prometheus()) {
                components.metrics(metricsSettings(loaded.litellmSettings().prometheus()));
            } else {
                log.info("Prometheus metrics are off: add \"prometheus\" to litellm_settings.callbacks to serve "
                        + "/metrics");
            }
            if (store != null) {
                store.apply(components);
            }
            if (debug || detailedDebug) {
                components.listener(new LoggingCallListener());
            }
            server = ProxyServer.start(components.build());
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("llmproxy: " + e.getMessage());
            return EXIT_CONFIG;
        } catch (IllegalStateException e) {
            err.println("llmproxy: " + e.getMessage());
            if (store != null) {
                store.close();
            }
            return EXIT_BIND;
        }
        log.info("llmproxy {} serving {} model group(s) from {}", Version.current(), routes.publicModels().size(),
                configPath);
        if (!tracing.destinations().isEmpty()) {
            log.info("Exporting traces (OTLP/HTTP) to {}", tracing.destinations());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Stopping: draining in-flight requests for up to {} s", drainSeconds);
            server.stop();
            if (store != null) {
                // After the drain, so every call's spend record has been handed to the writer.
                store.close();
            }
            log.info("Stopped");
        }, "llmproxy-shutdown"));
        return 0;
    }

    private static MetricsSettings metricsSettings(PrometheusSettings prometheus) {
        return new MetricsSettings(prometheus.requireAuthForMetrics(),
                prometheus.latencyBuckets() != null ? prometheus.latencyBuckets() : MetricsSettings.LATENCY_BUCKETS,
                new MetricFilter(prometheus.includeMetrics(), Set.copyOf(prometheus.excludeMetrics()),
                        Set.copyOf(prometheus.excludeLabels())));
    }

    private @Nullable Path pathFromEnv() {
        String fromEnv = env.get("CONFIG_FILE_PATH");
        return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
    }

    /**
     * The client timeouts of {@code general_settings}; the keep-alive one can also come from LiteLLM's
     * {@code --keepalive_timeout} option or its {@code KEEPALIVE_TIMEOUT} variable, which win over the file.
     */
    private ClientTimeouts clientTimeouts(GeneralSettings general) {
        Duration keepAlive = general.keepaliveTimeout();
        String fromEnv = env.get("KEEPALIVE_TIMEOUT");
        if (keepaliveTimeout != null) {
            keepAlive = positiveSeconds(keepaliveTimeout, "--keepalive_timeout");
        } else if (fromEnv != null && !fromEnv.isBlank()) {
            try {
                keepAlive = positiveSeconds(Integer.parseInt(fromEnv.trim()), "KEEPALIVE_TIMEOUT");
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("KEEPALIVE_TIMEOUT: expected a number of seconds, got '"
                        + fromEnv + "'", e);
            }
        }
        return ClientTimeouts.of(keepAlive, general.clientHeaderTimeout(), general.clientBodyTimeout());
    }

    private static Duration positiveSeconds(int seconds, String name) {
        if (seconds <= 0) {
            throw new IllegalArgumentException(name + ": expected a number of seconds > 0, got " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    private int choosePort() {
        if (port != null) {
            return port;
        }
        String fromEnv = env.get("PORT");
        if (fromEnv != null && !fromEnv.isBlank()) {
            try {
                return Integer.parseInt(fromEnv.trim());
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), "PORT is not a number: " + fromEnv);
            }
        }
        return 4000;
    }

    /**
     * Secure by default: without a master key anyone who can reach the port can spend the provider keys, so llmproxy
     * then listens on loopback only, and refuses an explicit non-loopback address. A master key short enough to be
     * guessed is refused in the same way on a non-loopback address, and warned about on loopback.
     */
    private @Nullable String chooseHost(@Nullable String masterKey) {
        Logger log = LoggerFactory.getLogger("llmproxy");
        String bindHost = host;
        if (bindHost == null) {
            if (masterKey == null) {
                log.warn("No master key is set: listening on 127.0.0.1 only and accepting requests without a key. "
                        + "Set general_settings.master_key (or LITELLM_MASTER_KEY) to listen on other addresses.");
                return "127.0.0.1";
            }
            bindHost = "0.0.0.0";
        }
        boolean loopback = isLoopback(bindHost);
        if (masterKey == null && !loopback) {
            err.println("llmproxy: refusing to listen on " + bindHost + " without a master key: anyone who can reach "
                    + "it could use your provider keys. Set general_settings.master_key in the config (it must start "
                    + "with sk-) or the LITELLM_MASTER_KEY environment variable, or listen on 127.0.0.1.");
            return null;
        }
        if (masterKey != null && masterKey.length() < MIN_MASTER_KEY_LENGTH) {
            String weak = "the master key has " + masterKey.length() + " characters, short enough to be guessed; use "
                    + "at least " + MIN_MASTER_KEY_LENGTH + ", e.g. one made with: echo \"sk-$(openssl rand -hex 24)\"";
            if (!loopback) {
                err.println("llmproxy: refusing to listen on " + bindHost + ": " + weak);
                return null;
            }
            log.warn("Weak master key on a loopback listener: {}", weak);
        }
        return bindHost;
    }

    static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Prints the version from the jar manifest. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"llmproxy " + Version.current()};
        }
    }
}
