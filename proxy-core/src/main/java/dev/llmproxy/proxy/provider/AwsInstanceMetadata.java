package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.bedrock.SigV4;
import dev.llmproxy.proxy.provider.TokenRefresher.Expiring;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The credentials of an EC2 instance's role, from the instance metadata service as boto3 asks it (IMDSv2): a session
 * token from {@code PUT /latest/api/token}, then the role's name from
 * {@code GET /latest/meta-data/iam/security-credentials/} and its credentials from
 * {@code GET /latest/meta-data/iam/security-credentials/<role>}, each with the token in
 * {@code x-aws-ec2-metadata-token}. Where the token call is refused as unknown (403, 404, 405: IMDSv1 only), the
 * calls go without a token, as boto3's do.
 *
 * <p>The endpoint is {@code AWS_EC2_METADATA_SERVICE_ENDPOINT}, else {@code http://[fd00:ec2::254]} with
 * {@code AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6}, else {@code http://169.254.169.254}; each call may take
 * {@code AWS_METADATA_SERVICE_TIMEOUT} seconds (1), so a machine that is not an EC2 instance fails quickly.
 *
 * <p>Thread-safety: immutable; {@link #fetch} completes on the HTTP client's threads.
 *
 * @param endpoint the metadata service
 * @param timeout how long each call may take
 */
record AwsInstanceMetadata(URI endpoint, Duration timeout) {
    private static final String TOKEN_PATH = "/latest/api/token";
    private static final String ROLES_PATH = "/latest/meta-data/iam/security-credentials/";
    private static final String TOKEN_HEADER = "x-aws-ec2-metadata-token";

    AwsInstanceMetadata {
        requireNonNull(endpoint, "endpoint");
        requireNonNull(timeout, "timeout");
    }

    /** The metadata service the environment names, or {@code null} when {@code AWS_EC2_METADATA_DISABLED=true}. */
    static @Nullable AwsInstanceMetadata of(Map<String, String> env) {
        if ("true".equals(env.getOrDefault("AWS_EC2_METADATA_DISABLED", "").toLowerCase(Locale.ROOT))) {
            return null;
        }
        String endpoint = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT");
        if (endpoint == null || endpoint.isEmpty()) {
            endpoint = "ipv6".equals(env.getOrDefault("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "")
                    .toLowerCase(Locale.ROOT)) ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
        }
        Duration timeout = Duration.ofSeconds(1);
        String seconds = env.get("AWS_METADATA_SERVICE_TIMEOUT");
        if (seconds != null && !seconds.isEmpty()) {
            try {
                timeout = Duration.ofMillis(Math.max(1, (long) (Double.parseDouble(seconds) * 1000)));
            } catch (NumberFormatException e) {
                throw new UpstreamAuth.CredentialsException("AWS_METADATA_SERVICE_TIMEOUT is not a number of "
                        + "seconds: " + seconds);
            }
        }
        return new AwsInstanceMetadata(URI.create(endpoint.endsWith("/")
                ? endpoint.substring(0, endpoint.length() - 1) : endpoint), timeout);
    }

    /** Asks the service; completes with the role's credentials or exceptionally, saying which call failed. */
    CompletionStage<Expiring<SigV4.Credentials>> fetch(HttpClient client, Clock clock) {
        HttpRequest tokenRequest = HttpRequest.newBuilder(endpoint.resolve(TOKEN_PATH)).timeout(timeout)
                .header("x-aws-ec2-metadata-token-ttl-seconds", "21600")
                .PUT(HttpRequest.BodyPublishers.noBody()).build();
        return send(client, tokenRequest).thenCompose(token -> {
            String sessionToken;
            if (token.statusCode() == 200) {
                sessionToken = token.body().strip();
            } else if (token.statusCode() == 403 || token.statusCode() == 404 || token.statusCode() == 405) {
                sessionToken = null;
            } else {
                throw problem("answered HTTP " + token.statusCode() + " to PUT " + TOKEN_PATH);
            }
            return send(client, get(ROLES_PATH, sessionToken)).thenCompose(roles -> {
                String role = roles.statusCode() == 200 ? roles.body().strip().split("\\R", 2)[0].strip() : "";
                if (role.isEmpty()) {
                    throw problem("has no IAM role for this instance (HTTP " + roles.statusCode() + ")");
                }
                return send(client, get(ROLES_PATH + role, sessionToken));
            });
        }).thenApply(credentials -> {
            if (credentials.statusCode() != 200) {
                throw problem("answered HTTP " + credentials.statusCode() + " for the role's credentials");
            }
            return AwsJson.metadataCredentials(credentials.body(), clock.instant(),
                    "The instance metadata service at " + endpoint);
        });
    }

    private HttpRequest get(String path, @Nullable String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.resolve(path)).timeout(timeout).GET();
        if (token != null) {
            request.header(TOKEN_HEADER, token);
        }
        return request.build();
    }

    private CompletableFuture<HttpResponse<String>> send(HttpClient client, HttpRequest request) {
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .exceptionally(failure -> {
                    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                    throw problem("could not be reached (" + cause.getClass().getSimpleName() + ")");
                });
    }

    private UpstreamAuth.CredentialsException problem(String what) {
        return new UpstreamAuth.CredentialsException("The instance metadata service at " + endpoint + " " + what);
    }
}
