package dev.llmproxy.bench.mock;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * GitHub's side of GitHub Copilot's authentication, as LiteLLM and llmproxy use it: the OAuth device flow
 * ({@code POST /login/device/code}, then {@code POST /login/oauth/access_token} answering
 * {@code authorization_pending} a set number of times before the token) and the Copilot token exchange
 * ({@code GET /copilot_internal/v2/token} with {@code authorization: token <GitHub token>}, answering the short-lived
 * Copilot token, its {@code expires_at} and {@code endpoints.api}). Every request must carry the VS Code Copilot
 * client id or editor headers GitHub expects; anything else gets a GitHub-style error.
 *
 * <p>Thread-safety: thread-safe; the JDK server's thread answers, the counters are atomics.
 */
public final class MockGitHub implements AutoCloseable {

    /** The GitHub token the device flow hands out and the exchange accepts. */
    public static final String ACCESS_TOKEN = "ghu_mockAccessToken01";
    /** The code the operator is asked to enter. */
    public static final String USER_CODE = "MOCK-1234";

    private final HttpServer server;
    private final int pendingPolls;
    private final long tokenLifetimeSeconds;
    private final String apiBase;
    private final AtomicInteger polls = new AtomicInteger();
    private final AtomicInteger exchanges = new AtomicInteger();
    private final AtomicInteger deviceCodes = new AtomicInteger();
    private volatile boolean revoked;

    private MockGitHub(HttpServer server, int pendingPolls, long tokenLifetimeSeconds, String apiBase) {
        this.server = server;
        this.pendingPolls = pendingPolls;
        this.tokenLifetimeSeconds = tokenLifetimeSeconds;
        this.apiBase = apiBase;
    }

    /**
     * Starts the mock on an ephemeral loopback port.
     *
     * @param pendingPolls how many token polls answer {@code authorization_pending} before the token
     * @param tokenLifetimeSeconds the Copilot token's lifetime ({@code expires_at} minus now)
     * @param apiBase the {@code endpoints.api} to hand out (the mock provider's origin)
     */
    public static MockGitHub start(int pendingPolls, long tokenLifetimeSeconds, String apiBase) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            MockGitHub mock = new MockGitHub(server, pendingPolls, tokenLifetimeSeconds, apiBase);
            server.createContext("/", mock::handle);
            server.start();
            return mock;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the GitHub mock", e);
        }
    }

    /** {@code http://127.0.0.1:PORT}: both the device flow's base and, with the path, the exchange's URL. */
    public String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The Copilot token exchange's URL. */
    public String apiKeyUrl() {
        return origin() + "/copilot_internal/v2/token";
    }

    /** From now on the exchange refuses the GitHub token with 401, as when the user revoked it. */
    public void revoke() {
        revoked = true;
    }

    /** Token exchanges answered with a token. */
    public int exchanges() {
        return exchanges.get();
    }

    /** Device codes handed out. */
    public int deviceCodes() {
        return deviceCodes.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), UTF_8);
        }
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (method.equals("POST") && path.equals("/login/device/code")) {
            if (!body.contains("\"client_id\":\"Iv1.b507a08c87ecfe98\"")) {
                reply(exchange, 400, "{\"error\":\"unauthorized_client\"}");
                return;
            }
            deviceCodes.incrementAndGet();
            reply(exchange, 200, "{\"device_code\":\"dev-mock-01\",\"user_code\":\"" + USER_CODE + "\","
                    + "\"verification_uri\":\"https://github.com/login/device\",\"expires_in\":900,\"interval\":1}");
        } else if (method.equals("POST") && path.equals("/login/oauth/access_token")) {
            if (!body.contains("\"device_code\":\"dev-mock-01\"")) {
                reply(exchange, 200, "{\"error\":\"bad_verification_code\"}");
            } else if (polls.incrementAndGet() <= pendingPolls) {
                reply(exchange, 200, "{\"error\":\"authorization_pending\"}");
            } else {
                reply(exchange, 200, "{\"access_token\":\"" + ACCESS_TOKEN + "\",\"token_type\":\"bearer\","
                        + "\"scope\":\"read:user\"}");
            }
        } else if (method.equals("GET") && path.equals("/copilot_internal/v2/token")) {
            String auth = exchange.getRequestHeaders().getFirst("authorization");
            if (revoked || !("token " + ACCESS_TOKEN).equals(auth)
                    || exchange.getRequestHeaders().getFirst("editor-version") == null) {
                reply(exchange, 401, "{\"message\":\"Bad credentials\",\"documentation_url\":"
                        + "\"https://docs.github.com/rest\"}");
                return;
            }
            int n = exchanges.incrementAndGet();
            long expiresAt = System.currentTimeMillis() / 1000 + tokenLifetimeSeconds;
            reply(exchange, 200, "{\"token\":\"tid=mock" + n + ";exp=" + expiresAt + ";sku=free\",\"expires_at\":"
                    + expiresAt + ",\"refresh_in\":" + Math.max(1, tokenLifetimeSeconds - 300)
                    + ",\"endpoints\":{\"api\":\"" + apiBase + "\",\"telemetry\":\"https://telemetry.invalid\"}}");
        } else {
            reply(exchange, 404, "{\"message\":\"Not Found\"}");
        }
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(UTF_8);
        exchange.getResponseHeaders().set("content-type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
