package dev.llmproxy.proxy.provider;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.provider.GoogleTokenAuth.AccessToken;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * GitHub Copilot's two tokens, kept in LiteLLM's token directory so that a directory LiteLLM logged in with works
 * unchanged: the GitHub OAuth token from the device flow ({@code access-token}, long-lived) and the Copilot API token
 * it is exchanged for ({@code api-key.json}, GitHub's whole reply, valid for about 30 minutes).
 *
 * <p>{@link #apiToken} is {@link CopilotAuth}'s token source: the cached API token while it is valid, else a new one
 * exchanged with the access token. Without an access token it starts the device flow once in the background, logs the
 * code and URL for the operator, and fails at once with {@link LoginRequiredException} (LiteLLM blocks the request
 * for the whole login instead); {@code llmproxy copilot login} ({@link #login}) does the same up front, in a terminal.
 *
 * <p>Thread-safety: thread-safe. The HTTP exchanges run on the client's threads and the file work on
 * {@code executor}, never on an event loop.
 */
public final class CopilotTokens {

    /** The VS Code Copilot app's OAuth client id, which LiteLLM uses too. */
    static final String CLIENT_ID = "Iv1.b507a08c87ecfe98";
    private static final Logger log = LoggerFactory.getLogger(CopilotTokens.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final Map<String, String> GITHUB_HEADERS = Map.of(
            "accept", "application/json",
            "editor-version", "vscode/1.85.1",
            "editor-plugin-version", "copilot/1.155.0",
            "user-agent", "GithubCopilot/1.155.0");

    private final Settings settings;
    private final HttpClient client;
    private final Clock clock;
    private final Executor executor;
    private final AtomicReference<@Nullable CompletableFuture<String>> deviceFlow = new AtomicReference<>();

    /**
     * Where the tokens live and where GitHub is. LiteLLM's variables name the files; the two URLs are llmproxy's, for
     * GitHub Enterprise and for tests.
     *
     * @param dir {@code GITHUB_COPILOT_TOKEN_DIR}, default {@code ~/.config/litellm/github_copilot}
     * @param accessTokenFile {@code GITHUB_COPILOT_ACCESS_TOKEN_FILE}, default {@code access-token}
     * @param apiKeyFile {@code GITHUB_COPILOT_API_KEY_FILE}, default {@code api-key.json}
     * @param githubUrl {@code GITHUB_COPILOT_GITHUB_URL}, default {@code https://github.com} (the device flow)
     * @param apiKeyUrl {@code GITHUB_COPILOT_API_KEY_URL}, default
     *     {@code https://api.github.com/copilot_internal/v2/token} (the exchange)
     */
    public record Settings(Path dir, String accessTokenFile, String apiKeyFile, String githubUrl, String apiKeyUrl) {

        public Settings {
            requireNonNull(dir, "dir");
            requireNonNull(accessTokenFile, "accessTokenFile");
            requireNonNull(apiKeyFile, "apiKeyFile");
            requireNonNull(githubUrl, "githubUrl");
            requireNonNull(apiKeyUrl, "apiKeyUrl");
        }

        /** The settings from the environment, with LiteLLM's defaults. */
        public static Settings of(Map<String, String> env) {
            String home = env.getOrDefault("HOME", System.getProperty("user.home", "."));
            return new Settings(Path.of(or(env, "GITHUB_COPILOT_TOKEN_DIR", home + "/.config/litellm/github_copilot")),
                    or(env, "GITHUB_COPILOT_ACCESS_TOKEN_FILE", "access-token"),
                    or(env, "GITHUB_COPILOT_API_KEY_FILE", "api-key.json"),
                    stripSlash(or(env, "GITHUB_COPILOT_GITHUB_URL", "https://github.com")),
                    or(env, "GITHUB_COPILOT_API_KEY_URL", "https://api.github.com/copilot_internal/v2/token"));
        }

        Path accessTokenPath() {
            return dir.resolve(accessTokenFile);
        }

        Path apiKeyPath() {
            return dir.resolve(apiKeyFile);
        }

        private static String or(Map<String, String> env, String name, String fallback) {
            String value = env.get(name);
            return value == null || value.isBlank() ? fallback : value.trim();
        }

        private static String stripSlash(String url) {
            return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        }
    }

    public CopilotTokens(Settings settings, HttpClient client, Clock clock, Executor executor) {
        this.settings = requireNonNull(settings, "settings");
        this.client = requireNonNull(client, "client");
        this.clock = requireNonNull(clock, "clock");
        this.executor = requireNonNull(executor, "executor");
    }

    /** The settings this source reads. */
    public Settings settings() {
        return settings;
    }

    /**
     * The Copilot API's base URL GitHub gave with the cached API token ({@code endpoints.api}), if a cached token
     * names one; read once when a deployment is made.
     */
    public @Nullable String cachedApiBase() {
        try {
            Path path = settings.apiKeyPath();
            return Files.isRegularFile(path) ? parseApiKey(Files.readString(path, UTF_8)).apiBase() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * A Copilot API token valid for at least a minute: the cached one, else one exchanged with the access token (and
     * cached). Completes exceptionally with {@link LoginRequiredException} when there is no access token yet, and
     * with {@link TokenException} when GitHub refuses.
     */
    public CompletionStage<AccessToken> apiToken() {
        return CompletableFuture.supplyAsync(this::cachedOrAccessToken, executor).thenCompose(found -> {
            if (found.cached() != null) {
                return CompletableFuture.completedFuture(found.cached());
            }
            String accessToken = found.accessToken();
            if (accessToken == null) {
                return CompletableFuture.failedFuture(startDeviceFlow());
            }
            return exchange(accessToken);
        });
    }

    /**
     * Runs the device flow in the calling thread and stores the access token: prints the URL and code on
     * {@code out}, then waits (up to GitHub's expiry, about 15 minutes) for the operator to enter it.
     *
     * @throws TokenException if GitHub refuses or the code expires
     */
    public void login(PrintStream out) {
        try {
            DeviceCode code = deviceCode().join();
            out.println("To use GitHub Copilot through llmproxy, open " + code.verificationUri()
                    + " and enter the code " + code.userCode());
            out.flush();
            String token = poll(code).join();
            store(token);
            exchange(token).toCompletableFuture().join();
            out.println("Logged in: the tokens are in " + settings.dir());
        } catch (CompletionException e) {
            throw e.getCause() instanceof TokenException t ? t : new TokenException(String.valueOf(e.getCause()));
        }
    }

    private Found cachedOrAccessToken() {
        try {
            Path apiKey = settings.apiKeyPath();
            if (Files.isRegularFile(apiKey)) {
                ApiKey cached = parseApiKey(Files.readString(apiKey, UTF_8));
                long left = cached.expiresAt() - clock.millis() / 1000;
                if (left > 120) {
                    return new Found(new AccessToken(cached.token(), left), null);
                }
            }
        } catch (IOException | TokenException e) {
            log.debug("GitHub Copilot: the cached API token cannot be read, exchanging a new one: {}", e.toString());
        }
        try {
            Path access = settings.accessTokenPath();
            String token = Files.isRegularFile(access) ? Files.readString(access, UTF_8).trim() : "";
            return new Found(null, token.isEmpty() ? null : token);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + settings.accessTokenPath(), e);
        }
    }

    private CompletionStage<AccessToken> exchange(String accessToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(settings.apiKeyUrl()))
                .timeout(Duration.ofSeconds(30)).header("authorization", "token " + accessToken).GET();
        GITHUB_HEADERS.forEach(request::header);
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(UTF_8))
                .thenApplyAsync(response -> {
                    if (response.statusCode() == 401 || response.statusCode() == 403) {
                        throw new TokenException("GitHub refused the Copilot token exchange (" + response.statusCode()
                                + "): the account has no Copilot access or the GitHub token in "
                                + settings.accessTokenPath() + " was revoked; run llmproxy copilot login");
                    }
                    if (response.statusCode() != 200) {
                        throw new TokenException("GitHub's Copilot token exchange answered " + response.statusCode());
                    }
                    ApiKey key = parseApiKey(response.body());
                    write(settings.apiKeyPath(), response.body());
                    return new AccessToken(key.token(), Math.max(0, key.expiresAt() - clock.millis() / 1000));
                }, executor);
    }

    /** Starts the device flow unless it runs already; returns the failure to answer requests with meanwhile. */
    private LoginRequiredException startDeviceFlow() {
        CompletableFuture<String> running = deviceFlow.get();
        if (running == null) {
            CompletableFuture<String> mine = new CompletableFuture<>();
            if (deviceFlow.compareAndSet(null, mine)) {
                deviceCode().thenCompose(code -> {
                    log.warn("GitHub Copilot needs a login: open {} and enter the code {} (or run `llmproxy copilot "
                            + "login`); requests to github_copilot/ models fail until then", code.verificationUri(),
                            code.userCode());
                    mine.complete(code.userCode() + " at " + code.verificationUri());
                    return poll(code);
                }).thenAcceptAsync(this::store, executor).whenComplete((ignored, failure) -> {
                    if (failure != null) {
                        log.warn("GitHub Copilot login did not complete: {}", failure.getMessage());
                        mine.completeExceptionally(failure);
                    } else {
                        log.info("GitHub Copilot login complete; the token is in {}", settings.accessTokenPath());
                    }
                    deviceFlow.compareAndSet(mine, null);
                });
                running = mine;
            } else {
                running = deviceFlow.get();
            }
        }
        String code = running == null ? null : running.getNow(null);
        return new LoginRequiredException("GitHub Copilot is not logged in: "
                + (code != null ? "enter the code " + code : "a login code is being requested, see the log")
                + " (or run llmproxy copilot login)");
    }

    private CompletableFuture<DeviceCode> deviceCode() {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(settings.githubUrl() + "/login/device/code"))
                .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"client_id\":\"" + CLIENT_ID + "\",\"scope\":\"read:user\"}"));
        GITHUB_HEADERS.forEach(request::header);
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(UTF_8)).thenApply(response -> {
            Map<String, String> fields = fields(response.body());
            String device = fields.get("device_code");
            String user = fields.get("user_code");
            String uri = fields.get("verification_uri");
            if (response.statusCode() != 200 || device == null || user == null || uri == null) {
                throw new TokenException("GitHub's device code request answered " + response.statusCode());
            }
            return new DeviceCode(device, user, uri, seconds(fields.get("interval"), 5),
                    seconds(fields.get("expires_in"), 900));
        });
    }

    /** Polls for the access token every {@code interval} (longer after {@code slow_down}) until it expires. */
    private CompletableFuture<String> poll(DeviceCode code) {
        long deadline = clock.millis() + code.expiresInSeconds() * 1000;
        CompletableFuture<String> result = new CompletableFuture<>();
        pollOnce(code, code.intervalSeconds(), deadline, result);
        return result;
    }

    private void pollOnce(DeviceCode code, long intervalSeconds, long deadline, CompletableFuture<String> result) {
        if (clock.millis() > deadline) {
            result.completeExceptionally(new TokenException("the GitHub login code expired before it was entered"));
            return;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(settings.githubUrl() + "/login/oauth/access_token"))
                .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"client_id\":\"" + CLIENT_ID + "\",\"device_code\":\""
                        + code.deviceCode() + "\",\"grant_type\":\"urn:ietf:params:oauth:grant-type:device_code\"}"));
        GITHUB_HEADERS.forEach(request::header);
        Executor later = CompletableFuture.delayedExecutor(intervalSeconds, TimeUnit.SECONDS,
                executor);
        client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(UTF_8)).whenComplete((response, e) -> {
            if (e != null) {
                later.execute(() -> pollOnce(code, intervalSeconds, deadline, result));
                return;
            }
            Map<String, String> fields = fields(response.body());
            String token = fields.get("access_token");
            String error = fields.getOrDefault("error", "");
            if (token != null && !token.isEmpty()) {
                result.complete(token);
            } else if (error.equals("authorization_pending")) {
                later.execute(() -> pollOnce(code, intervalSeconds, deadline, result));
            } else if (error.equals("slow_down")) {
                long slower = intervalSeconds + 5;
                CompletableFuture.delayedExecutor(slower, TimeUnit.SECONDS, executor)
                        .execute(() -> pollOnce(code, slower, deadline, result));
            } else {
                result.completeExceptionally(new TokenException("GitHub refused the login: "
                        + (error.isEmpty() ? "HTTP " + response.statusCode() : error)));
            }
        });
    }

    private void store(String accessToken) {
        write(settings.accessTokenPath(), accessToken);
    }

    /** Writes through a temporary file and a rename, so that a reader never sees half a token. */
    private void write(Path path, String content) {
        try {
            Files.createDirectories(path.getParent());
            Path temp = Files.createTempFile(path.getParent(), path.getFileName().toString(), ".tmp");
            Files.writeString(temp, content, UTF_8);
            try {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    /** Reads GitHub's API token reply: {@code token}, {@code expires_at} and {@code endpoints.api}. */
    static ApiKey parseApiKey(String body) {
        String token = null;
        long expiresAt = 0;
        String apiBase = null;
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new TokenException("GitHub's Copilot token reply is not a JSON object");
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("token") && value == JsonToken.VALUE_STRING) {
                    token = p.getString();
                } else if (name.equals("expires_at") && value.isNumeric()) {
                    expiresAt = p.getValueAsLong(0);
                } else if (name.equals("endpoints") && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        String endpoint = p.currentName();
                        if (p.nextToken() == JsonToken.VALUE_STRING && endpoint.equals("api")) {
                            apiBase = p.getString();
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new TokenException("GitHub's Copilot token reply is not JSON");
        }
        if (token == null || expiresAt == 0) {
            throw new TokenException("GitHub's Copilot token reply has no token or expires_at");
        }
        return new ApiKey(token, expiresAt, apiBase);
    }

    /** The top-level string and number fields of a small JSON object (empty if it is not one). */
    private static Map<String, String> fields(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), body)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (value.isScalarValue()) {
                        fields.put(name, p.getString());
                    } else {
                        p.skipChildren();
                    }
                }
            }
        } catch (JacksonException e) {
            return Map.of();
        }
        return fields;
    }

    private static long seconds(@Nullable String value, long fallback) {
        try {
            return value == null ? fallback : Math.max(1, Long.parseLong(value));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** GitHub's API token reply, as far as llmproxy reads it. */
    record ApiKey(String token, long expiresAt, @Nullable String apiBase) {
        @Override
        public String toString() {
            return "ApiKey[expiresAt=" + expiresAt + ", apiBase=" + apiBase + ']';
        }
    }

    private record DeviceCode(String deviceCode, String userCode, String verificationUri, long intervalSeconds,
            long expiresInSeconds) {
    }

    private record Found(@Nullable AccessToken cached, @Nullable String accessToken) {
    }

    /** No GitHub login yet: requests get a 401 naming the code to enter while the device flow runs. */
    public static final class LoginRequiredException extends UpstreamAuth.CredentialsException {
        private static final long serialVersionUID = 1L;

        LoginRequiredException(String message) {
            super(message);
        }
    }

    /** GitHub refused, or its reply could not be understood. */
    public static final class TokenException extends UpstreamAuth.CredentialsException {
        private static final long serialVersionUID = 1L;

        TokenException(String message) {
            super(message);
        }
    }
}
