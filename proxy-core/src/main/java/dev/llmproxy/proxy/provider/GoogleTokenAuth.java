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
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Vertex AI's authentication: an OAuth access token for a service account, sent as {@code authorization: Bearer},
 * obtained from Google's token endpoint, cached, and refreshed before it expires without ever holding up a request
 * that can use the current token ({@link TokenRefresher}).
 *
 * <p>Thread-safety: thread-safe; {@link #apply} is called from every event loop at once.
 */
public final class GoogleTokenAuth implements UpstreamAuth {

    /** How long a failed refresh is reported to new requests before the token endpoint is tried again. */
    static final Duration RETRY_AFTER = TokenRefresher.RETRY_AFTER;

    private final TokenRefresher<AsciiString> tokens;

    /**
     * @param credentials the service account
     * @param clock wall time, for the token's expiry and the assertion's issue time
     * @param endpoint exchanges assertions for tokens; {@link #httpEndpoint} in production
     */
    public GoogleTokenAuth(GoogleCredentials credentials, Clock clock, TokenEndpoint endpoint) {
        requireNonNull(credentials, "credentials");
        requireNonNull(endpoint, "endpoint");
        this.tokens = TokenRefresher.bearer(clock, () -> endpoint.exchange(credentials));
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
        AsciiString bearer = tokens.current();
        if (bearer == null) {
            return false;
        }
        request.headers().set(HttpHeaderNames.AUTHORIZATION, bearer);
        return true;
    }

    @Override
    public CompletionStage<?> ready() {
        return tokens.ready();
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
}
