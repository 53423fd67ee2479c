package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.bedrock.SigV4;
import dev.llmproxy.proxy.provider.TokenRefresher.Expiring;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Credentials from the container credentials endpoint (ECS tasks, EKS Pod Identity), as boto3's container provider
 * gets them: {@code AWS_CONTAINER_CREDENTIALS_RELATIVE_URI} under {@code http://169.254.170.2}, else
 * {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} (over plain HTTP only to a loopback address or the ECS and EKS agents'
 * addresses); the {@code Authorization} header is the content of {@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}
 * (read again at each fetch, as EKS rotates it), else {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}. The answer is
 * {@code {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}}.
 *
 * <p>Thread-safety: immutable.
 *
 * @param uri where the credentials are asked for
 * @param token the authorization token, or {@code null}
 * @param tokenFile the file holding the authorization token, or {@code null}
 */
record AwsContainerCredentials(URI uri, @Nullable String token, @Nullable Path tokenFile) {
    private static final String ECS_HOST = "http://169.254.170.2";
    private static final Set<String> AGENT_HOSTS = Set.of("169.254.170.2", "169.254.170.23", "[fd00:ec2::23]",
            "fd00:ec2::23");
    private static final Pattern LOOPBACK_V4 = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    AwsContainerCredentials {
        requireNonNull(uri, "uri");
    }

    /**
     * The endpoint the environment names, or {@code null} when it names none.
     *
     * @throws UpstreamAuth.CredentialsException when the full URI is not a URL boto3 would call
     */
    static @Nullable AwsContainerCredentials of(Map<String, String> env) {
        String relative = nonEmpty(env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"));
        String full = nonEmpty(env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
        URI uri;
        if (relative != null) {
            uri = URI.create(ECS_HOST + (relative.startsWith("/") ? "" : "/") + relative);
        } else if (full != null) {
            uri = URI.create(full);
            if (!isAllowed(uri)) {
                throw new UpstreamAuth.CredentialsException("AWS_CONTAINER_CREDENTIALS_FULL_URI " + full
                        + " is neither https nor a loopback or container agent address");
            }
        } else {
            return null;
        }
        String tokenFile = nonEmpty(env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"));
        return new AwsContainerCredentials(uri, nonEmpty(env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN")),
                tokenFile != null ? Path.of(tokenFile) : null);
    }

    /** Asks the endpoint, the token file read on {@code files}; completes on the HTTP client's threads. */
    CompletionStage<Expiring<SigV4.Credentials>> fetch(HttpClient client, Clock clock, Executor files) {
        Path file = tokenFile;
        CompletableFuture<@Nullable String> authorization = file != null
                ? CompletableFuture.supplyAsync(() -> readToken(file), files)
                : CompletableFuture.completedFuture(token);
        return authorization.thenCompose(value -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET();
            if (value != null) {
                if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                    throw new UpstreamAuth.CredentialsException("The container authorization token has a line break");
                }
                request.header("Authorization", value);
            }
            return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }).handle((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                if (cause instanceof UpstreamAuth.CredentialsException credentials) {
                    throw credentials;
                }
                throw new UpstreamAuth.CredentialsException("The container credentials endpoint " + uri
                        + " could not be reached: " + cause);
            }
            if (response.statusCode() != 200) {
                throw new UpstreamAuth.CredentialsException("The container credentials endpoint " + uri
                        + " answered HTTP " + response.statusCode());
            }
            return AwsJson.metadataCredentials(response.body(), clock.instant(),
                    "The container credentials endpoint " + uri);
        });
    }

    private static String readToken(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UpstreamAuth.CredentialsException("The container authorization token file " + file
                    + " cannot be read: " + e);
        }
    }

    private static boolean isAllowed(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return false;
        }
        if ("https".equals(uri.getScheme())) {
            return true;
        }
        return "http".equals(uri.getScheme()) && (host.equals("localhost") || LOOPBACK_V4.matcher(host).matches()
                || host.equals("[::1]") || host.equals("::1") || AGENT_HOSTS.contains(host));
    }

    private static @Nullable String nonEmpty(@Nullable String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
