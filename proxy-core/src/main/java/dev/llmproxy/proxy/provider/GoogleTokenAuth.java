package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Vertex AI's authentication: an OAuth access token for a service account, sent as {@code authorization: Bearer},
 * obtained from Google's token endpoint, cached, and refreshed before it expires without ever holding up a request
 * that can use the current token.
 *
 * <p>Thread-safety: thread-safe; {@link #apply} is called from every event loop at once.
 */
public final class GoogleTokenAuth implements UpstreamAuth {
    /*
     * Implementation notes
     *
     * The state is one immutable snapshot in an AtomicReference: the current token (or none) with its expiry, the
     * refresh in flight (or none), and the last failure. apply() runs on event loops and never blocks:
     *  1. A token is used until EXPIRY_MARGIN before it expires. From REFRESH_AHEAD before its expiry on, a refresh
     *     starts in the background, once (both margins shrink to a quarter and a half of the token's lifetime for
     *     short-lived tokens, so that a fresh token is always usable): of the threads that race to start it, the one
     *     whose CAS installs the in-flight future starts it; the others find it installed and go on with the current
     *     token.
     *  2. Without a usable token, apply() starts a refresh (or finds the one in flight) and answers false; the attempt
     *     waits on ready(), which is that refresh's future, and then calls apply() again.
     * A refresh that completes installs its token (and clears the in-flight future) before completing its future, so
     * an attempt woken by it finds the token. A refresh that fails completes its future exceptionally: the waiting
     * attempts fail with an authentication error. The failure is remembered for RETRY_AFTER, during which apply()
     * answers false and ready() the failure at once, so that a broken token endpoint is not called once per request.
     * CAS loops retry only when another thread changed the snapshot in between; each retry re-reads it, and a thread
     * gives up as soon as it sees a refresh in flight, so every loop ends.
     * The refresh itself (signing the assertion, the HTTP exchange) runs on the token endpoint's executor and the HTTP
     * client's threads, never on an event loop.
     */

    /** A token is not used in its last minute: a request sent with it may reach Google after it expired. */
    static final Duration EXPIRY_MARGIN = Duration.ofSeconds(60);
    /** How long before expiry a token is replaced in the background. */
    static final Duration REFRESH_AHEAD = Duration.ofMinutes(5);
    /** How long a failed refresh is reported to new requests before the token endpoint is tried again. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final GoogleCredentials credentials;
    private final Clock clock;
    private final TokenEndpoint endpoint;
    private final AtomicReference<State> state = new AtomicReference<>(State.EMPTY);

    /**
     * @param credentials the service account
     * @param clock wall time, for the token's expiry and the assertion's issue time
     * @param endpoint exchanges assertions for tokens; {@link #httpEndpoint} in production
     */
    public GoogleTokenAuth(GoogleCredentials credentials, Clock clock, TokenEndpoint endpoint) {
        this.credentials = requireNonNull(credentials, "credentials");
        this.clock = requireNonNull(clock, "clock");
        this.endpoint = requireNonNull(endpoint, "endpoint");
    }

    /**
     * The token endpoint over HTTP: a form POST of the JWT bearer grant to the credentials' {@code token_uri}, as
     * LiteLLM (google-auth) sends it. The assertion is signed on {@code executor}.
     */
    public static TokenEndpoint httpEndpoint(HttpClient client, Clock clock, Executor executor) {
        return credentials -> CompletableFuture
                .supplyAsync(() -> ServiceAccountJwt.assertion(credentials, clock.millis() / 1000), executor)
                .thenCompose(assertion -> client.sendAsync(java.net.http.HttpRequest.newBuilder()
                                .uri(URI.create(credentials.tokenUri()))
                                .timeout(Duration.ofSeconds(30))
                                .header("content-type", "application/x-www-form-urlencoded")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                        "grant_type=" + URLEncoder.encode(
                                                "urn:ietf:params:oauth:grant-type:jwt-bearer", StandardCharsets.UTF_8)
                                        + "&assertion=" + assertion))
                                .build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)))
                .thenApply(GoogleTokenAuth::parseTokenResponse);
    }

    @Override
    public boolean apply(HttpRequest request, ByteBuf body) {
        long now = clock.millis();
        State current = snapshot();
        if (current.bearer != null && now < current.usableUntilMillis) {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, current.bearer);
            if (now >= current.refreshAtMillis) {
                startRefresh(now);
            }
            return true;
        }
        startRefresh(now);
        return false;
    }

    @Override
    public CompletionStage<?> ready() {
        State current = snapshot();
        if (current.refreshing != null) {
            return current.refreshing;
        }
        if (current.failure != null) {
            return CompletableFuture.failedFuture(current.failure);
        }
        return CompletableFuture.completedFuture(null);
    }

    private void startRefresh(long now) {
        CompletableFuture<Void> refreshing = new CompletableFuture<>();
        while (true) {
            State current = snapshot();
            if (current.refreshing != null) {
                return;
            }
            if (current.failure != null && now < current.failedAtMillis + RETRY_AFTER.toMillis()) {
                return;
            }
            if (state.compareAndSet(current, current.refreshing(refreshing))) {
                break;
            }
        }
        CompletionStage<AccessToken> exchange;
        try {
            exchange = endpoint.exchange(credentials);
        } catch (RuntimeException e) {
            exchange = CompletableFuture.failedFuture(e);
        }
        exchange.whenComplete((token, failure) -> finishRefresh(refreshing, token, failure, now));
    }

    /** Installs the outcome of a refresh started at {@code startedMillis}, then wakes the attempts waiting on it. */
    private void finishRefresh(CompletableFuture<Void> refreshing, @Nullable AccessToken token,
            @Nullable Throwable failure, long startedMillis) {
        while (true) {
            State current = snapshot();
            State next = token != null && failure == null ? State.of(token, startedMillis)
                    : new State(current.bearer, current.usableUntilMillis, current.refreshAtMillis, null,
                            failure != null ? failure : new IllegalStateException("no token"), clock.millis());
            if (state.compareAndSet(current, next)) {
                break;
            }
        }
        if (token != null && failure == null) {
            refreshing.complete(null);
        } else {
            refreshing.completeExceptionally(failure != null ? failure : new IllegalStateException("no token"));
        }
    }

    /** The current snapshot; never null (the reference starts at {@link State#EMPTY} and is only ever replaced). */
    private State snapshot() {
        return requireNonNull(state.get(), "state");
    }

    /** Reads Google's token reply, {@code {"access_token", "expires_in", "token_type"}}, or fails with its error. */
    static AccessToken parseTokenResponse(HttpResponse<String> response) {
        String body = response.body();
        if (response.statusCode() != 200) {
            throw new TokenException("the token endpoint answered " + response.statusCode() + ": "
                    + (body.length() > 300 ? body.substring(0, 300) + "..." : body));
        }
        String token = null;
        long expiresIn = 3600;
        try (JsonParser p = new JsonFactory().createParser(ObjectReadContext.empty(), body)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (name.equals("access_token") && value == JsonToken.VALUE_STRING) {
                        token = p.getString();
                    } else if (name.equals("expires_in") && value.isNumeric()) {
                        expiresIn = p.getValueAsLong(expiresIn);
                    } else {
                        p.skipChildren();
                    }
                }
            }
        } catch (JacksonException e) {
            throw new TokenException("the token endpoint's reply is not JSON");
        }
        if (token == null) {
            throw new TokenException("the token endpoint's reply has no access_token");
        }
        return new AccessToken(token, expiresIn);
    }

    /** Exchanges a service account's assertion for an access token; completes on any thread. */
    @FunctionalInterface
    public interface TokenEndpoint {
        CompletionStage<AccessToken> exchange(GoogleCredentials credentials);
    }

    /**
     * An access token and how long it is valid, counted from when it was asked for.
     *
     * @param value the token
     * @param expiresInSeconds its lifetime
     */
    public record AccessToken(String value, long expiresInSeconds) {
        public AccessToken {
            requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return "AccessToken[expiresInSeconds=" + expiresInSeconds + ']';
        }
    }

    /** The token endpoint refused or could not be understood. */
    static final class TokenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TokenException(String message) {
            super(message);
        }
    }

    /** One snapshot of the token state; see the implementation notes. */
    private record State(@Nullable AsciiString bearer, long usableUntilMillis, long refreshAtMillis,
            @Nullable CompletableFuture<Void> refreshing, @Nullable Throwable failure, long failedAtMillis) {
        static final State EMPTY = new State(null, 0, 0, null, null, 0);

        /** A fresh token asked for at {@code askedMillis}. */
        static State of(AccessToken token, long askedMillis) {
            long lifetime = Math.max(0, token.expiresInSeconds() * 1000);
            long expires = askedMillis + lifetime;
            return new State(AsciiString.of("Bearer " + token.value()),
                    expires - Math.min(EXPIRY_MARGIN.toMillis(), lifetime / 4),
                    expires - Math.min(REFRESH_AHEAD.toMillis(), lifetime / 2), null, null, 0);
        }

        State refreshing(CompletableFuture<Void> future) {
            return new State(bearer, usableUntilMillis, refreshAtMillis, future, null, 0);
        }
    }
}
