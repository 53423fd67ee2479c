package dev.llmproxy.proxy.server;

import static org.awaitility.Awaitility.await;

import dev.llmproxy.proxy.auth.Authenticator;
import dev.llmproxy.proxy.auth.MasterKeyAuthenticator;
import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.config.ProxyConfig;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.upstream.ForwardProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A running {@link ProxyServer} built from a LiteLLM YAML config, the calls it reported, and an HTTP/1.1 client
 * pointed at it. Each test makes its own and closes it (usually through {@code @AfterEach}); nothing is shared
 * between tests.
 *
 * <p>Thread-safety: the recorded calls are appended on the proxy's event loops and may be read from any thread;
 * everything else is meant for the test thread.
 */
public final class ProxyFixture implements AutoCloseable {
    /** A chat body that every deployment accepts; {@code %s} is the model. */
    public static final String CHAT_BODY = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final ProxyServer server;
    private final List<CallRecord> calls;
    private final HttpClient client;
    private boolean stopped;

    private ProxyFixture(ProxyServer server, List<CallRecord> calls) {
        this.server = server;
        this.calls = calls;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    /** Starts a proxy serving {@code yaml} (written to {@code dir}), with no environment variables. */
    public static ProxyFixture start(Path dir, String yaml) {
        return builder(dir, yaml).start();
    }

    /** A builder for a proxy serving {@code yaml}, written to {@code dir/config.yaml}. */
    public static Builder builder(Path dir, String yaml) {
        return new Builder(dir, yaml);
    }

    /** The running server. */
    public ProxyServer server() {
        return server;
    }

    /** The port the proxy listens on (on 127.0.0.1). */
    public int port() {
        return server.localAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** The calls reported to the {@link CallListener} so far, in the order they ended (a live view). */
    public List<CallRecord> calls() {
        return calls;
    }

    /** Waits until {@code count} calls have been reported and returns the last one. */
    public CallRecord awaitCalls(int count) {
        await().atMost(Duration.ofSeconds(5)).until(() -> calls.size() >= count);
        return calls.get(count - 1);
    }

    /** POSTs {@code body} as JSON; {@code headers} are name/value pairs. */
    public HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        return send(withHeaders(request, headers));
    }

    /** POSTs {@code body} as JSON and reads the answer as bytes (audio, images); {@code headers} are name/value pairs. */
    public HttpResponse<byte[]> postForBytes(String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        return send(withHeaders(request, headers), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** POSTs {@link #CHAT_BODY} for {@code model} to {@code /v1/chat/completions}. */
    public HttpResponse<String> chat(String model, String... headers) {
        return post("/v1/chat/completions", CHAT_BODY.formatted(model), headers);
    }

    /** GETs {@code path}; {@code headers} are name/value pairs. */
    public HttpResponse<String> get(String path, String... headers) {
        return send(withHeaders(HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT).GET(), headers));
    }

    /** DELETEs {@code path}; {@code headers} are name/value pairs. */
    public HttpResponse<String> delete(String path, String... headers) {
        return send(withHeaders(HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT).DELETE(), headers));
    }

    /** Stops the server (blocking, graceful); later calls and {@link #close()} do nothing. */
    public boolean stop() {
        if (stopped) {
            return true;
        }
        stopped = true;
        return server.stop();
    }

    @Override
    public void close() {
        stop();
    }

    private static HttpRequest.Builder withHeaders(HttpRequest.Builder request, String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        return send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        try {
            return client.send(request.build(), handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Options of a fixture; defaults: no environment, 32 KiB of headers, 5 s drain grace, one event loop. */
    public static final class Builder {
        private final Path dir;
        private final String yaml;
        private Map<String, String> env = Map.of();
        private int maxHeaderBytes = 32 * 1024;
        private Duration drainGrace = Duration.ofSeconds(5);
        private Consumer<ServerComponents.Builder> customizer = components -> {};
        private @Nullable Authenticator authenticator;

        private Builder(Path dir, String yaml) {
            this.dir = dir;
            this.yaml = yaml;
        }

        /** The process environment given to the config loader (and so to the forward proxy settings). */
        public Builder env(Map<String, String> env) {
            this.env = env;
            return this;
        }

        /** The largest request header block accepted. */
        public Builder maxHeaderBytes(int maxHeaderBytes) {
            this.maxHeaderBytes = maxHeaderBytes;
            return this;
        }

        /** How long a stop waits for in-flight calls. */
        public Builder drainGrace(Duration drainGrace) {
            this.drainGrace = drainGrace;
            return this;
        }

        /** Who may call (default: the config's master key only). */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = authenticator;
            return this;
        }

        /** Changes the server's components before it starts (another router, an extra listener, ...). */
        public Builder components(Consumer<ServerComponents.Builder> customizer) {
            this.customizer = customizer;
            return this;
        }

        /** Writes the config, loads it as the CLI does, and starts the server on an ephemeral port. */
        public ProxyFixture start() {
            Path file = dir.resolve("config.yaml");
            try {
                Files.writeString(file, yaml, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ProxyConfig config = ConfigLoader.load(file, env);
            ServerSettings settings = new ServerSettings(
                    "127.0.0.1",
                    0,
                    1,
                    (int) Math.min(Integer.MAX_VALUE - 8, config.generalSettings().maxRequestBodyBytes()),
                    maxHeaderBytes,
                    drainGrace,
                    ClientTimeouts.of(config.generalSettings().keepaliveTimeout(),
                            config.generalSettings().clientHeaderTimeout(),
                            config.generalSettings().clientBodyTimeout()),
                    config.generalSettings().maxUploadBytes() > 0 ? config.generalSettings().maxUploadBytes()
                            : ServerSettings.DEFAULT_MAX_UPLOAD_BYTES);
            List<CallRecord> calls = new CopyOnWriteArrayList<>();
            ServerComponents.Builder components = ServerComponents.builder(settings, RouteTable.build(config),
                            authenticator != null ? authenticator
                                    : new MasterKeyAuthenticator(config.generalSettings().masterKey()))
                    .listener(calls::add)
                    .reliability(config.reliability())
                    .forwardProxy(ForwardProxy.fromEnvironment(config.environment()))
                    .clientIps(config.generalSettings().clientIps())
                    .routerSettings(config.routerSettings())
                    .healthChecks(config.generalSettings().healthChecks())
                    .passThroughEndpoints(config.generalSettings().passThroughEndpoints(), config.environment());
            customizer.accept(components);
            ProxyServer server = ProxyServer.start(components.build());
            return new ProxyFixture(server, calls);
        }
    }
}
