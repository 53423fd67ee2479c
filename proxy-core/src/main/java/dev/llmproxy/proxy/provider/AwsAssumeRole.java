package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.bedrock.SigV4;
import dev.llmproxy.proxy.provider.TokenRefresher.Expiring;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Temporary AWS credentials from STS, as LiteLLM gets them for {@code aws_role_name}: {@code AssumeRole} signed with
 * the deployment's long-term key, or, with {@code aws_web_identity_token}, {@code AssumeRoleWithWebIdentity} (not
 * signed). The query API's form POST goes to {@code aws_sts_endpoint} (else {@code sts.<region>.amazonaws.com}), and
 * the credentials are read from its documented XML answer
 * ({@code <Credentials><AccessKeyId/><SecretAccessKey/><SessionToken/><Expiration/></Credentials>}); an
 * {@code <ErrorResponse>} becomes a {@link UpstreamAuth.CredentialsException} naming STS's code and message.
 *
 * <p>Thread-safety: immutable; {@link #fetch} may be called from any thread and completes on the HTTP client's.
 *
 * @param endpoint the STS endpoint, e.g. {@code https://sts.us-east-1.amazonaws.com}
 * @param region the region STS requests are signed for
 * @param roleArn {@code aws_role_name}
 * @param sessionName {@code aws_session_name}
 * @param externalId {@code aws_external_id}, or {@code null}
 * @param signing the long-term key AssumeRole is signed with, or {@code null} with a web identity token
 * @param webIdentityToken {@code aws_web_identity_token}, or {@code null}
 */
public record AwsAssumeRole(URI endpoint, String region, String roleArn, String sessionName,
        @Nullable String externalId, SigV4.@Nullable Credentials signing, @Nullable String webIdentityToken) {
    private static final String VERSION = "2011-06-15";
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern STS_HOST_REGION =
            Pattern.compile("(?:^|\\.)sts(?:-fips)?\\.([a-z0-9-]+)\\.(?:amazonaws\\.com(?:\\.cn)?|vpce\\.amazonaws\\.com)");

    public AwsAssumeRole {
        requireNonNull(endpoint, "endpoint");
        requireNonNull(region, "region");
        requireNonNull(roleArn, "roleArn");
        requireNonNull(sessionName, "sessionName");
        if (signing == null && webIdentityToken == null) {
            throw new IllegalArgumentException("AssumeRole needs a key to sign with or a web identity token");
        }
    }

    /**
     * Asks {@code sts} for {@code roleArn}.
     *
     * @param sessionName the role session's name
     * @param externalId {@code external_id}, or {@code null}
     * @param signing the key AssumeRole is signed with, or {@code null} with a web identity token
     * @param webIdentityToken the web identity token, or {@code null}
     */
    AwsAssumeRole(Target sts, String roleArn, String sessionName, @Nullable String externalId,
            SigV4.@Nullable Credentials signing, @Nullable String webIdentityToken) {
        this(sts.endpoint(), sts.region(), roleArn, sessionName, externalId, signing, webIdentityToken);
    }

    /** The region of an STS host name ({@code sts.eu-west-1.amazonaws.com}), or {@code null}. */
    public static @Nullable String regionOf(URI endpoint) {
        String host = endpoint.getHost();
        if (host == null) {
            return null;
        }
        Matcher matcher = STS_HOST_REGION.matcher(host);
        return matcher.find() ? matcher.group(1) : null;
    }

    /** Asks STS for credentials; completes with them and their lifetime, or exceptionally. */
    CompletionStage<Expiring<SigV4.Credentials>> fetch(HttpClient client, Clock clock) {
        String body = form();
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.getPath().isEmpty() ? endpoint.resolve("/")
                        : endpoint)
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        SigV4.Credentials key = signing;
        if (webIdentityToken == null && key != null) {
            sign(request, key, body, clock.instant());
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .thenApply(response -> parse(response.statusCode(), response.body(), clock.instant()));
    }

    private String form() {
        StringBuilder form = new StringBuilder(256);
        form.append("Action=").append(webIdentityToken != null ? "AssumeRoleWithWebIdentity" : "AssumeRole");
        if (webIdentityToken == null && externalId != null) {
            form.append("&ExternalId=").append(encode(externalId));
        }
        form.append("&RoleArn=").append(encode(roleArn)).append("&RoleSessionName=").append(encode(sessionName));
        form.append("&Version=").append(VERSION);
        if (webIdentityToken != null) {
            form.append("&WebIdentityToken=").append(encode(webIdentityToken));
        }
        return form.toString();
    }

    /** SigV4 for the {@code sts} service; the JDK client sends the host it was given, so that is what is signed. */
    private void sign(HttpRequest.Builder request, SigV4.Credentials key, String body, Instant now) {
        String amzDate = AMZ_DATE.format(now);
        TreeMap<String, String> signed = new TreeMap<>();
        signed.put("content-type", "application/x-www-form-urlencoded; charset=utf-8");
        signed.put("host", endpoint.getPort() < 0 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort());
        signed.put("x-amz-date", amzDate);
        if (key.sessionToken() != null) {
            signed.put("x-amz-security-token", key.sessionToken());
            request.header("x-amz-security-token", key.sessionToken());
        }
        MessageDigest digest = SigV4.sha256();
        String payloadHash = SigV4.hex(digest.digest(body.getBytes(StandardCharsets.UTF_8)));
        String path = endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        request.header("x-amz-date", amzDate);
        request.header("authorization", new SigV4(key.accessKeyId(), key.secretAccessKey(), region, "sts")
                .authorization("POST", SigV4.canonicalPath(path), "", signed, payloadHash, amzDate));
    }

    /** Reads STS's XML answer received at {@code now}. */
    static Expiring<SigV4.Credentials> parse(int status, String xml, Instant now) {
        String accessKeyId = element(xml, "AccessKeyId");
        String secret = element(xml, "SecretAccessKey");
        String token = element(xml, "SessionToken");
        String expiration = element(xml, "Expiration");
        if (status != 200 || accessKeyId == null || secret == null || token == null || expiration == null) {
            String code = element(xml, "Code");
            String message = element(xml, "Message");
            throw new UpstreamAuth.CredentialsException("AWS STS did not give credentials (HTTP " + status
                    + (code != null ? ", " + code : "") + (message != null ? ": " + message : "") + ")");
        }
        try {
            long seconds = Duration.between(now, Instant.parse(expiration)).toSeconds();
            return new Expiring<>(new SigV4.Credentials(accessKeyId, secret, token), Math.max(0, seconds));
        } catch (DateTimeParseException e) {
            throw new UpstreamAuth.CredentialsException("AWS STS answered an unreadable Expiration: " + expiration);
        }
    }

    /** The text of the first {@code <name>} element, entities decoded, or {@code null}. */
    private static @Nullable String element(String xml, String name) {
        int start = xml.indexOf("<" + name + ">");
        if (start < 0) {
            return null;
        }
        start += name.length() + 2;
        int end = xml.indexOf("</" + name + ">", start);
        if (end < 0) {
            return null;
        }
        return xml.substring(start, end).trim().replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&apos;", "'").replace("&amp;", "&");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Where roles are assumed.
     *
     * @param endpoint the STS endpoint
     * @param region the region STS requests are signed for
     * @param sessionName the role session's name where none is configured
     */
    public record Target(URI endpoint, String region, String sessionName) {
        public Target {
            requireNonNull(endpoint, "endpoint");
            requireNonNull(region, "region");
            requireNonNull(sessionName, "sessionName");
        }
    }
}
