package dev.llmproxy.bench.scenario;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpServer;
import dev.llmproxy.bench.load.ProcessStats;
import dev.llmproxy.bench.load.RequestTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The features of {@link Scenario#FEATURES}, by group, and what they need: models in the proxy under test's config
 * (routing and translation), a second proxy with a master key and PostgreSQL and its virtual keys (keys), a third with
 * metrics and tracing to an OTLP sink in this JVM (tracing). {@link #close()} deletes the keys it made and stops what
 * it started.
 *
 * <p>Thread-safety: set up and closed from one thread; the sink's counters may be read from any.
 */
public final class FeatureSetup implements AutoCloseable {

    /** A group of features, selectable with {@code --features}. */
    public enum Group {
        /** A group of four deployments with limits that never bite, and a deployment whose rpm bites. */
        ROUTING,
        /** Chat answered by the Anthropic and Gemini mocks through translation, plain and streamed. */
        TRANSLATION,
        /** Virtual keys (1, and 10,000 in turn) against the master key, on PostgreSQL with spend logging. */
        KEYS,
        /** Metrics and OTLP tracing to a local sink, against the proxy under test. */
        TRACING
    }

    static final String GROUP4 = "bench-group4";
    static final String SINGLE_LIMITS = "bench-single-limits";
    /** Limits that are enforced on every request but never bite at any rate the bench sends. */
    private static final String HIGH_LIMITS = "rpm: 100000000, tpm: 100000000000";
    static final String LIMITED = "bench-limited";
    static final String ANTHROPIC = "bench-anthropic";
    static final String GEMINI = "bench-gemini";
    /** The limited deployment's rpm: far below the feature rate, so most of every minute's requests get 429. */
    static final int LIMITED_RPM = 600;
    private static final String MASTER_KEY = "sk-bench-master";
    private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]%s}";

    private final List<Feature> features = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<String, String> setup = new LinkedHashMap<>();
    private final List<String> keys = new ArrayList<>();
    private @Nullable InetSocketAddress keysProxy;

    private FeatureSetup() {
    }

    /** The mock's origin ({@code http://127.0.0.1:PORT}) from its OpenAI base URL ({@code .../v1}). */
    static String origin(String mockBaseUrl) {
        return mockBaseUrl.endsWith("/v1") ? mockBaseUrl.substring(0, mockBaseUrl.length() - 3) : mockBaseUrl;
    }

    private static InetSocketAddress mockAddress(String mockBaseUrl) {
        URI url = URI.create(mockBaseUrl);
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), url.getPort());
    }

    /** The feature models of the proxy under test's {@code model_list}. */
    static String models(String mockBaseUrl, String mockOrigin) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("  - model_name: ").append(SINGLE_LIMITS).append('\n')
                .append("    litellm_params: {model: openai/mock-model, api_base: \"").append(mockBaseUrl)
                .append("\", api_key: sk-mock, ").append(HIGH_LIMITS).append("}\n");
        for (int i = 0; i < 4; i++) {
            yaml.append("  - model_name: ").append(GROUP4).append('\n')
                    .append("    litellm_params: {model: openai/mock-model, api_base: \"").append(mockBaseUrl)
                    .append("\", api_key: sk-mock, ").append(HIGH_LIMITS).append("}\n")
                    .append("    model_info: {id: ").append(GROUP4).append('-').append(i).append("}\n");
        }
        yaml.append("  - model_name: ").append(LIMITED).append('\n')
                .append("    litellm_params: {model: openai/mock-model, api_base: \"").append(mockBaseUrl)
                .append("\", api_key: sk-mock, rpm: ").append(LIMITED_RPM).append("}\n")
                .append("  - model_name: ").append(ANTHROPIC).append('\n')
                .append("    litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: \"").append(mockOrigin)
                .append("\", api_key: sk-ant-mock}\n")
                .append("  - model_name: ").append(GEMINI).append('\n')
                .append("    litellm_params: {model: gemini/gemini-2.5-flash, api_base: \"").append(mockOrigin)
                .append("\", api_key: AIza-mock}\n");
        return yaml.toString();
    }

    /**
     * Builds the selected groups' features; the proxy under test ({@code proxy}) is the baseline of routing,
     * translation and tracing.
     *
     * @param started receives every child process, so that the caller's shutdown hook stops it too
     * @throws IllegalStateException if a process does not start or the keys cannot be made
     */
    public static FeatureSetup start(Set<Group> groups, Target proxy, Path jar, List<String> javaOptions,
            String mockBaseUrl, Path workDir, CpuPinning pinning, String databaseUrl, int keyCount,
            Consumer<AutoCloseable> started) {
        FeatureSetup setup = new FeatureSetup();
        try {
            setup.build(EnumSet.copyOf(groups), proxy, jar, javaOptions, mockBaseUrl, workDir, pinning, databaseUrl,
                    keyCount, started);
            return setup;
        } catch (RuntimeException e) {
            setup.close();
            throw e;
        }
    }

    private void build(Set<Group> groups, Target proxy, Path jar, List<String> javaOptions, String mockBaseUrl,
            Path workDir, CpuPinning pinning, String databaseUrl, int keyCount, Consumer<AutoCloseable> started) {
        InetSocketAddress address = proxy.address();
        ProcessStats stats = proxy.process();
        features.add(Feature.requests("single", "one deployment, no limits (the proxy under test)",
                chat(address, ProxyProcess.MODEL, "", Map.of()), stats, null, null));
        if (groups.contains(Group.ROUTING)) {
            routing(jar, javaOptions, mockBaseUrl, workDir, pinning, started);
            features.add(new Feature("limited", "one deployment at rpm " + LIMITED_RPM + ", biting",
                    Feature.Kind.REQUESTS, chat(address, LIMITED, "", Map.of()), stats, "single", null, null, true,
                    null));
        }
        if (groups.contains(Group.TRANSLATION)) {
            features.add(Feature.requests("anthropic", "chat translated to Anthropic Messages and back",
                    chat(address, ANTHROPIC, "", Map.of()), stats, "single", 2.0));
            features.add(Feature.requests("gemini", "chat translated to Gemini generateContent and back",
                    chat(address, GEMINI, "", Map.of()), stats, "single", 2.0));
            InetSocketAddress mock = mockAddress(mockBaseUrl);
            features.add(Feature.streams("direct-openai", "the mock's OpenAI stream, no proxy",
                    chat(mock, "mock-model", ",\"stream\":true", Map.of()), null, null, null));
            features.add(Feature.streams("direct-anthropic", "the mock's Anthropic Messages stream, no proxy",
                    RequestTemplate.postJson(mock, "/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":"
                            + "256,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}",
                            Map.of("x-api-key", "sk-ant-mock", "anthropic-version", "2023-06-01")), null, null, null));
            features.add(Feature.streams("direct-gemini", "the mock's Gemini SSE stream, no proxy",
                    RequestTemplate.postJson(mock, "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                            "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}",
                            Map.of("x-goog-api-key", "AIza-mock")), null, null, null));
            features.add(Feature.streams("stream", "streamed chat, OpenAI pass-through",
                    chat(address, ProxyProcess.MODEL, ",\"stream\":true", Map.of()), stats, null, "direct-openai"));
            features.add(Feature.streams("stream-anthropic", "streamed chat translated from Anthropic events",
                    chat(address, ANTHROPIC, ",\"stream\":true", Map.of()), stats, "stream", "direct-anthropic"));
            features.add(Feature.streams("stream-gemini", "streamed chat translated from Gemini SSE",
                    chat(address, GEMINI, ",\"stream\":true", Map.of()), stats, "stream", "direct-gemini"));
            features.add(Feature.streams("responses-anthropic",
                    "streamed Responses API bridged to chat, translated from Anthropic events",
                    RequestTemplate.postJson(address, "/v1/responses", "{\"model\":\"" + ANTHROPIC
                            + "\",\"input\":\"hi\",\"stream\":true}", Map.of()),
                    stats, "stream-anthropic", "direct-anthropic"));
        }
        if (groups.contains(Group.KEYS)) {
            keys(jar, javaOptions, mockBaseUrl, workDir, pinning, databaseUrl, keyCount, started);
        }
        if (groups.contains(Group.TRACING)) {
            tracing(jar, javaOptions, mockBaseUrl, workDir, pinning, started);
        }
    }

    private void keys(Path jar, List<String> javaOptions, String mockBaseUrl, Path workDir, CpuPinning pinning,
            String databaseUrl, int keyCount, Consumer<AutoCloseable> started) {
        String config = "model_list:\n" + ProxyProcess.benchModel(mockBaseUrl) + "general_settings:\n"
                + "  master_key: " + MASTER_KEY + "\n  database_url: \"" + databaseUrl + "\"\n";
        Map<String, String> master = Map.of("Authorization", "Bearer " + MASTER_KEY);
        ProxyProcess process = ProxyProcess.start(jar, javaOptions, "keys-proxy", config, Map.of(), master, workDir,
                pinning);
        closeables.add(process);
        started.accept(process);
        InetSocketAddress address = process.address();
        keysProxy = address;
        ProcessStats stats = ProcessStats.of(process.pid());
        String run = Long.toString(System.currentTimeMillis(), 36);
        for (int i = 0; i < keyCount; i++) {
            keys.add("sk-bench-" + run + "-" + i);
        }
        generateKeys(address);
        PostgresCounters counters = new PostgresCounters(databaseUrl);
        setup.put("keys proxy", "llmproxy " + address + ", pid " + process.pid() + ", master key and " + databaseUrl
                + " (spend logs on), " + keyCount + " virtual keys made with /key/generate");
        features.add(new Feature("master-key", "the master key, store on", Feature.Kind.REQUESTS,
                chat(address, ProxyProcess.MODEL, "", master), stats, null, null, null, false, counters::read));
        features.add(new Feature("virtual-key", "one virtual key (cache hit), spend logged", Feature.Kind.REQUESTS,
                chat(address, ProxyProcess.MODEL, "", bearer(keys.get(0))), stats, "master-key", null, 1.10, false,
                counters::read));
        List<RequestTemplate> rotating = new ArrayList<>(keys.size());
        for (String key : keys) {
            rotating.add(chat(address, ProxyProcess.MODEL, "", bearer(key)));
        }
        features.add(new Feature("virtual-keys-" + keyCount, keyCount + " virtual keys in turn, spend logged",
                Feature.Kind.REQUESTS, RequestTemplate.rotating(rotating), stats, "master-key", null, 1.10, false,
                counters::read));
    }

    /**
     * The group of four and its baseline, one deployment with the same limits, each on a proxy of its own, the two
     * started together with the same config: in one process the group's figure swung from 1.03x to 1.58x between
     * sittings with the order and age of what ran before it, while routing itself costs it 0.15 us more
     * (RoutingBenchmark).
     */
    private void routing(Path jar, List<String> javaOptions, String mockBaseUrl, Path workDir, CpuPinning pinning,
            Consumer<AutoCloseable> started) {
        String config = "model_list:\n" + ProxyProcess.benchModel(mockBaseUrl)
                + models(mockBaseUrl, origin(mockBaseUrl));
        ProxyProcess limits = ProxyProcess.start(jar, javaOptions, "limits-proxy", config, Map.of(), Map.of(), workDir,
                pinning);
        closeables.add(limits);
        started.accept(limits);
        ProxyProcess group = ProxyProcess.start(jar, javaOptions, "group-proxy", config, Map.of(), Map.of(), workDir,
                pinning);
        closeables.add(group);
        started.accept(group);
        setup.put("routing proxies", "llmproxy " + limits.address() + " (single-limits, pid " + limits.pid()
                + ") and " + group.address() + " (group4, pid " + group.pid() + "), started together");
        features.add(Feature.requests("single-limits", "one deployment, rpm and tpm enforced, never biting (own proxy)",
                chat(limits.address(), SINGLE_LIMITS, "", Map.of()), ProcessStats.of(limits.pid()), "single", null));
        features.add(Feature.requests("group4", "four deployments with those limits (own proxy, started with it)",
                chat(group.address(), GROUP4, "", Map.of()), ProcessStats.of(group.pid()), "single-limits", 1.05));
    }

    private void tracing(Path jar, List<String> javaOptions, String mockBaseUrl, Path workDir, CpuPinning pinning,
            Consumer<AutoCloseable> started) {
        // The baseline is a twin of the traced proxy with the callbacks off, started with it: the proxy under test
        // has served every earlier scenario, and a fresh process still compiling its hot paths costs more per request
        // whatever it records (measured: 1.3-1.5x on this VM, which is what the goal was read against before).
        String plain = "model_list:\n" + ProxyProcess.benchModel(mockBaseUrl);
        ProxyProcess twin = ProxyProcess.start(jar, javaOptions, "untraced-proxy", plain, Map.of(), Map.of(), workDir,
                pinning);
        closeables.add(twin);
        started.accept(twin);
        setup.put("untraced proxy", "llmproxy " + twin.address() + ", pid " + twin.pid() + ", no callbacks");
        features.add(Feature.requests("untraced", "the traced proxy's twin: same config without callbacks, same age",
                chat(twin.address(), ProxyProcess.MODEL, "", Map.of()), ProcessStats.of(twin.pid()), "single",
                null));
        OtlpSink sink = OtlpSink.start();
        closeables.add(sink);
        String config = plain + "litellm_settings:\n  callbacks: [\"prometheus\", \"otel\"]\n";
        ProxyProcess process = ProxyProcess.start(jar, javaOptions, "traced-proxy", config,
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", sink.url(), "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
                Map.of(), workDir, pinning);
        closeables.add(process);
        started.accept(process);
        setup.put("traced proxy", "llmproxy " + process.address() + ", pid " + process.pid()
                + ", callbacks prometheus and otel, OTLP/HTTP to a sink in the bench JVM at " + sink.url());
        features.add(new Feature("metrics-tracing", "metrics and a trace per request exported over OTLP",
                Feature.Kind.REQUESTS, chat(process.address(), ProxyProcess.MODEL, "", Map.of()),
                ProcessStats.of(process.pid()), "untraced", null, 1.05, false, sink::counters));
    }

    /** Makes the keys through the keys proxy's {@code /key/generate}, eight at a time. */
    private void generateKeys(InetSocketAddress address) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> pending = new ArrayList<>();
            for (String key : keys) {
                pending.add(pool.submit(() -> admin(client, address, "/key/generate", "{\"key\":\"" + key + "\"}")));
            }
            for (Future<?> future : pending) {
                future.get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the virtual keys: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void admin(HttpClient client, InetSocketAddress address, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + MASTER_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(path + ": HTTP " + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(path + ": interrupted", e);
        }
    }

    private static RequestTemplate chat(InetSocketAddress address, String model, String extra,
            Map<String, String> headers) {
        return RequestTemplate.postJson(address, Target.PATH, String.format(CHAT, model, extra), headers);
    }

    private static Map<String, String> bearer(String key) {
        return Map.of("Authorization", "Bearer " + key);
    }

    /** The features, baselines first within each group. */
    public List<Feature> features() {
        return List.copyOf(features);
    }

    /** Lines for the report's setup table. */
    public Map<String, String> setup() {
        return Map.copyOf(setup);
    }

    /** Deletes the virtual keys (a thousand per call), stops the processes and the sink. */
    @Override
    public void close() {
        InetSocketAddress address = keysProxy;
        if (address != null && !keys.isEmpty()) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            try {
                for (int from = 0; from < keys.size(); from += 1_000) {
                    List<String> batch = keys.subList(from, Math.min(keys.size(), from + 1_000));
                    admin(client, address, "/key/delete", "{\"keys\":[\"" + String.join("\",\"", batch) + "\"]}");
                }
            } catch (RuntimeException e) {
                System.err.println("bench: cannot delete the virtual keys: " + e.getMessage());
            }
            keys.clear();
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                System.err.println("bench: cannot stop " + closeables.get(i) + ": " + e);
            }
        }
        closeables.clear();
    }

    /**
     * Commits of the store's database and rows in its spend log, read with {@code psql} (the bench has no JDBC
     * driver). The commits come from PostgreSQL's statistics view, which lags by up to a second; the rows are counted
     * in the table itself, because the view's inserted-rows figure lagged by more than a 2 s slice and gave one
     * feature's rows to the next.
     */
    private record PostgresCounters(String databaseUrl) {

        Map<String, Double> read() {
            URI url = URI.create(databaseUrl);
            String user = url.getUserInfo() == null ? "postgres" : url.getUserInfo().split(":", 2)[0];
            String db = url.getPath() == null || url.getPath().length() < 2 ? "postgres" : url.getPath().substring(1);
            List<String> command = List.of("psql", "-h", url.getHost(), "-p",
                    Integer.toString(url.getPort() < 0 ? 5432 : url.getPort()), "-U", user, "-d", db, "-Atc",
                    "select (select xact_commit from pg_stat_database where datname = current_database()), "
                            + "(select count(*) from \"LiteLLM_SpendLogs\")");
            try {
                Process psql = new ProcessBuilder(command).redirectErrorStream(true).start();
                String out;
                try (InputStream in = psql.getInputStream()) {
                    out = new String(in.readAllBytes(), UTF_8).trim();
                }
                if (!psql.waitFor(10, TimeUnit.SECONDS) || psql.exitValue() != 0) {
                    throw new IllegalStateException("psql: " + out);
                }
                String[] fields = out.split("\\|");
                Map<String, Double> values = new LinkedHashMap<>();
                values.put("database commits", Double.parseDouble(fields[0]));
                values.put("spend rows written", Double.parseDouble(fields[1]));
                return values;
            } catch (IOException e) {
                throw new UncheckedIOException("psql", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("psql: interrupted", e);
            }
        }
    }

    /** An OTLP/HTTP receiver that answers every export with 200 and counts exports and bytes. */
    private static final class OtlpSink implements AutoCloseable {

        private final HttpServer server;
        private final AtomicLong exports = new AtomicLong();
        private final AtomicLong bytes = new AtomicLong();

        private OtlpSink(HttpServer server) {
            this.server = server;
        }

        static OtlpSink start() {
            try {
                HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
                OtlpSink sink = new OtlpSink(server);
                server.createContext("/", exchange -> {
                    try (InputStream in = exchange.getRequestBody()) {
                        sink.bytes.addAndGet(in.readAllBytes().length);
                    }
                    sink.exports.incrementAndGet();
                    exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                    exchange.sendResponseHeaders(200, -1);
                    exchange.close();
                });
                server.start();
                return sink;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the OTLP sink", e);
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        Map<String, Double> counters() {
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("OTLP exports received", (double) exports.get());
            values.put("OTLP KiB received", bytes.get() / 1024.0);
            return values;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
