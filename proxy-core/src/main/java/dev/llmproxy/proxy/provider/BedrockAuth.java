package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.bedrock.SigV4;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.net.http.HttpClient;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Signs each Bedrock request with AWS Signature Version 4 over its encoded body (provider spec, section 5.2), as
 * botocore's {@code SigV4Auth(credentials, "bedrock", region)} does: {@code content-type}, {@code host},
 * {@code x-amz-date} and, with temporary credentials, {@code x-amz-security-token} are signed; the canonical URI is
 * the path with every segment encoded once more.
 *
 * <p>The credentials are fixed, or come from STS ({@link #assumingRole}) or a profile of the AWS shared files
 * ({@link #refreshing}): then they are cached and refreshed before
 * they expire by a {@link TokenRefresher}, on the HTTP client's threads, and a request waits only when there are
 * no usable credentials at all ({@link #apply} answers {@code false}, the attempt waits on {@link #ready}).
 *
 * <p>Signing costs two SHA-256 passes and one HMAC chain per request (the day's signing key is cached by
 * {@link SigV4}); it runs on the event loop and never blocks.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class BedrockAuth implements UpstreamAuth {
    private static final AsciiString X_AMZ_DATE = AsciiString.cached("x-amz-date");
    private static final AsciiString X_AMZ_SECURITY_TOKEN = AsciiString.cached("x-amz-security-token");
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final @Nullable Signing fixed;
    private final @Nullable TokenRefresher<Signing> refreshed;
    private final Clock clock;

    /**
     * @param credentials the access key, its secret and, for temporary credentials, the session token
     * @param region the region of the runtime endpoint, e.g. {@code us-west-2}
     * @param clock wall time, for {@code x-amz-date}
     */
    public BedrockAuth(SigV4.Credentials credentials, String region, Clock clock) {
        this.fixed = Signing.of(requireNonNull(credentials, "credentials"), requireNonNull(region, "region"));
        this.refreshed = null;
        this.clock = requireNonNull(clock, "clock");
    }

    private BedrockAuth(TokenRefresher<Signing> refreshed, Clock clock) {
        this.fixed = null;
        this.refreshed = refreshed;
        this.clock = clock;
    }

    /**
     * Signs with temporary credentials from STS, asked for when the first request needs them and again before they
     * expire.
     *
     * @param role what to ask STS for
     * @param region the region of the runtime endpoint
     * @param client the HTTP client STS is called with
     * @param clock wall time, for {@code x-amz-date} and the credentials' expiry
     */
    public static BedrockAuth assumingRole(AwsAssumeRole role, String region, HttpClient client, Clock clock) {
        requireNonNull(role, "role");
        requireNonNull(region, "region");
        requireNonNull(client, "client");
        return new BedrockAuth(new TokenRefresher<>(clock, () -> role.fetch(client, clock).thenApply(credentials ->
                new TokenRefresher.Expiring<>(Signing.of(credentials.value(), region),
                        credentials.expiresInSeconds()))), clock);
    }

    /**
     * Signs with credentials from {@code source} (a profile of the AWS shared files, a web identity token file),
     * fetched when the first request needs them and again before they expire.
     *
     * @param region the region of the runtime endpoint
     * @param client the HTTP client STS is called with
     * @param clock wall time, for {@code x-amz-date} and the credentials' expiry
     */
    public static BedrockAuth refreshing(AwsProfiles.Source source, String region, HttpClient client, Clock clock) {
        requireNonNull(source, "source");
        requireNonNull(region, "region");
        requireNonNull(client, "client");
        return new BedrockAuth(new TokenRefresher<>(clock, () -> source.fetch(client, clock).thenApply(credentials ->
                new TokenRefresher.Expiring<>(Signing.of(credentials.value(), region),
                        credentials.expiresInSeconds()))), clock);
    }

    /** A bearer token instead of a signature: Bedrock API keys ({@code AWS_BEARER_TOKEN_BEDROCK}, {@code api_key}). */
    public static UpstreamAuth bearer(String token) {
        return UpstreamAuth.header(HttpHeaderNames.AUTHORIZATION, AsciiString.of("Bearer " + token));
    }

    @Override
    public boolean apply(HttpRequest request, ByteBuf body) {
        TokenRefresher<Signing> source = refreshed;
        Signing signing = source != null ? source.current() : fixed;
        if (signing == null) {
            return false;
        }
        String sessionToken = signing.sessionToken();
        HttpHeaders headers = request.headers();
        String amzDate = AMZ_DATE.format(clock.instant());
        headers.set(X_AMZ_DATE, amzDate);
        TreeMap<String, String> signed = new TreeMap<>();
        String contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType != null) {
            signed.put("content-type", contentType);
        }
        String host = headers.get(HttpHeaderNames.HOST);
        signed.put("host", host == null ? "" : host);
        signed.put("x-amz-date", amzDate);
        if (sessionToken != null) {
            headers.set(X_AMZ_SECURITY_TOKEN, sessionToken);
            signed.put("x-amz-security-token", sessionToken);
        }
        String uri = request.uri();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        if (!path.startsWith("/")) {
            // An absolute URI (a request through a plain HTTP forward proxy): the signature covers the path only.
            int slash = path.indexOf('/', path.indexOf("//") + 2);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        String canonicalQuery = query < 0 ? "" : uri.substring(query + 1);
        headers.set(HttpHeaderNames.AUTHORIZATION, signing.signer().authorization(request.method().name(),
                SigV4.canonicalPath(path), canonicalQuery, signed, payloadHash(body), amzDate));
        return true;
    }

    @Override
    public CompletionStage<?> ready() {
        TokenRefresher<Signing> source = refreshed;
        return source != null ? source.ready() : CompletableFuture.completedFuture(null);
    }

    private static String payloadHash(ByteBuf body) {
        MessageDigest digest = SigV4.sha256();
        digest.update(body.nioBuffer(body.readerIndex(), body.readableBytes()));
        return SigV4.hex(digest.digest());
    }

    /** A signer for one set of credentials, and their session token. */
    private record Signing(SigV4 signer, @Nullable String sessionToken) {
        static Signing of(SigV4.Credentials credentials, String region) {
            return new Signing(new SigV4(credentials.accessKeyId(), credentials.secretAccessKey(), region, "bedrock"),
                    credentials.sessionToken());
        }
    }
}
