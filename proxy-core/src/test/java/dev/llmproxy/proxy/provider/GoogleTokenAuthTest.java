package dev.llmproxy.proxy.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Vertex AI's service account tokens: asked for once, cached, refreshed ahead of expiry, failures held briefly. */
class GoogleTokenAuthTest {
    private static final KeyPair KEYS = GoogleTokenAuthTestKeys.KEYS;

    private final MutableClock clock = new MutableClock();
    private final List<CompletableFuture<GoogleTokenAuth.AccessToken>> exchanges = new ArrayList<>();
    private final GoogleTokenAuth auth = new GoogleTokenAuth(credentials(), clock, credentials -> {
        CompletableFuture<GoogleTokenAuth.AccessToken> exchange = new CompletableFuture<>();
        exchanges.add(exchange);
        return exchange;
    });

    @Test
    void shouldAskOnceAndWaitWhenNoTokenIsAtHand() {
        assertThat(authorization()).isNull();
        assertThat(authorization()).as("a second request joins the refresh in flight").isNull();
        assertThat(exchanges).hasSize(1);
        CompletableFuture<?> ready = auth.ready().toCompletableFuture();
        assertThat(ready).isNotDone();

        exchanges.get(0).complete(new GoogleTokenAuth.AccessToken("ya29.one", 3600));

        assertThat(ready).isCompleted();
        assertThat(authorization()).isEqualTo("Bearer ya29.one");
        assertThat(exchanges).hasSize(1);
    }

    @Test
    void shouldKeepUsingCurrentTokenWhileRefreshingAheadOfExpiry() {
        tokenAtHand("ya29.one", 3600);
        clock.advance(Duration.ofMinutes(56));

        assertThat(authorization()).as("in the refresh window").isEqualTo("Bearer ya29.one");
        assertThat(exchanges).hasSize(2);
        assertThat(authorization()).isEqualTo("Bearer ya29.one");
        assertThat(exchanges).as("one refresh at a time").hasSize(2);

        exchanges.get(1).complete(new GoogleTokenAuth.AccessToken("ya29.two", 3600));

        assertThat(authorization()).isEqualTo("Bearer ya29.two");
    }

    @Test
    void shouldWaitForNewTokenWhenCurrentOneIsInItsLastMinute() {
        tokenAtHand("ya29.one", 3600);
        clock.advance(Duration.ofMinutes(59).plusSeconds(1));

        assertThat(authorization()).isNull();
        assertThat(exchanges).hasSize(2);
    }

    @Test
    void shouldFailWaitersAndHoldFailureBrieflyWhenTokenEndpointRefuses() {
        assertThat(authorization()).isNull();
        CompletableFuture<?> ready = auth.ready().toCompletableFuture();

        exchanges.get(0).completeExceptionally(new IllegalStateException("invalid_grant"));

        assertThat(ready).isCompletedExceptionally();
        assertThat(authorization()).isNull();
        assertThat(auth.ready().toCompletableFuture()).isCompletedExceptionally();
        assertThat(exchanges).as("not asked again at once").hasSize(1);
        clock.advance(GoogleTokenAuth.RETRY_AFTER);
        assertThat(authorization()).isNull();
        assertThat(exchanges).hasSize(2);
    }

    @Test
    void shouldKeepShortLivedTokenUsableWhenItsLifetimeIsBelowTheMargins() {
        tokenAtHand("ya29.short", 20);

        assertThat(authorization()).isEqualTo("Bearer ya29.short");
        clock.advance(Duration.ofSeconds(11));
        assertThat(authorization()).as("refreshing in the background").isEqualTo("Bearer ya29.short");
        assertThat(exchanges).hasSize(2);
    }

    @Test
    void shouldSignAssertionWithServiceAccountKey() throws Exception {
        String jwt = ServiceAccountJwt.assertion(credentials(), 1_700_000_000L);
        String[] parts = jwt.split("\\.");

        assertThat(decode(parts[0])).isEqualTo("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"key-1\"}");
        assertThat(decode(parts[1])).isEqualTo("{\"iss\":\"llm@proj.iam.gserviceaccount.com\",\"scope\":"
                + "\"https://www.googleapis.com/auth/cloud-platform\",\"aud\":\"https://oauth2.googleapis.com/token\","
                + "\"iat\":1700000000,\"exp\":1700003600}");
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(KEYS.getPublic());
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(rsa.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
    }

    @Test
    void shouldReadServiceAccountJsonAndRefuseOtherCredentialTypes() {
        GoogleCredentials read = GoogleCredentials.load(
                GoogleTokenAuthTestKeys.serviceAccountJson(KEYS, "https://oauth2.googleapis.com/token"));

        assertThat(read.clientEmail()).isEqualTo("llm@proj.iam.gserviceaccount.com");
        assertThat(read.projectId()).isEqualTo("proj");
        assertThat(read.toString()).doesNotContain("PRIVATE");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GoogleCredentials.load(
                "{\"type\":\"authorized_user\",\"refresh_token\":\"x\"}"))
                .hasMessageContaining("authorized_user");
    }

    private static GoogleCredentials credentials() {
        return GoogleCredentials.load(
                GoogleTokenAuthTestKeys.serviceAccountJson(KEYS, "https://oauth2.googleapis.com/token"));
    }

    private void tokenAtHand(String token, long lifetimeSeconds) {
        authorization();
        exchanges.get(exchanges.size() - 1).complete(new GoogleTokenAuth.AccessToken(token, lifetimeSeconds));
    }

    private @Nullable String authorization() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
                Unpooled.EMPTY_BUFFER);
        return auth.apply(request, request.content()) ? request.headers().get("authorization") : null;
    }

    private static String decode(String part) {
        return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
    }

    /** Wall time that moves only when told to. */
    private static final class MutableClock extends Clock {
        private Instant now = Instant.ofEpochSecond(1_700_000_000L);

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
