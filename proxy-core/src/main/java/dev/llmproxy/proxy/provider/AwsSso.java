package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.bedrock.SigV4;
import dev.llmproxy.proxy.provider.TokenRefresher.Expiring;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Role credentials of an IAM Identity Center (SSO) profile, as boto3's SSO provider gets them: the access token that
 * {@code aws sso login} left in {@code ~/.aws/sso/cache/<sha1 of the session name, or of the legacy start URL>.json}
 * ({@code accessToken}, {@code expiresAt}) is exchanged at the portal's
 * {@code GET /federation/credentials?role_name=..&account_id=..} (header {@code x-amz-sso_bearer_token}) for the
 * role's temporary credentials ({@code roleCredentials}). Only {@code aws sso login} makes a token: a missing, expired
 * or refused one is an error that says to run it.
 *
 * <p>Thread-safety: immutable; {@link #fetch} reads the token on {@code files} and completes on the HTTP client's
 * threads.
 *
 * @param profile the profile's name, for messages
 * @param cacheKey the {@code sso_session} name, or the legacy profile's {@code sso_start_url}
 * @param accountId {@code sso_account_id}
 * @param roleName {@code sso_role_name}
 * @param tokenFile where {@code aws sso login} keeps the token
 * @param portal the portal's endpoint, {@code https://portal.sso.<sso_region>.amazonaws.com} unless overridden
 */
record AwsSso(String profile, String cacheKey, String accountId, String roleName, Path tokenFile, URI portal) {
    AwsSso {
        requireNonNull(profile, "profile");
        requireNonNull(cacheKey, "cacheKey");
        requireNonNull(accountId, "accountId");
        requireNonNull(roleName, "roleName");
        requireNonNull(tokenFile, "tokenFile");
        requireNonNull(portal, "portal");
    }

    /**
     * The SSO settings of {@code profile}: its {@code sso_session} (whose {@code [sso-session name]} section holds
     * {@code sso_start_url} and {@code sso_region}), or the legacy {@code sso_start_url} and {@code sso_region} in the
     * profile itself; with {@code sso_account_id} and {@code sso_role_name}.
     *
     * @param sessions the {@code [sso-session name]} sections of the config file, by name
     * @param env where {@code HOME} and the endpoint overrides ({@code AWS_ENDPOINT_URL_SSO}, {@code AWS_ENDPOINT_URL})
     *     are
     * @throws UpstreamAuth.CredentialsException when a setting is missing
     */
    static AwsSso of(String profile, Map<String, String> values, Map<String, Map<String, String>> sessions,
            Map<String, String> env) {
        String sessionName = values.get("sso_session");
        Map<String, String> settings = values;
        if (sessionName != null) {
            settings = sessions.get(sessionName);
            if (settings == null) {
                throw new UpstreamAuth.CredentialsException("The AWS profile '" + profile + "' names the sso_session '"
                        + sessionName + "', which has no [sso-session " + sessionName + "] section");
            }
        }
        String startUrl = required(profile, settings, "sso_start_url");
        String region = required(profile, settings, "sso_region");
        String accountId = required(profile, values, "sso_account_id");
        String roleName = required(profile, values, "sso_role_name");
        String cacheKey = sessionName != null ? sessionName : startUrl;
        Path tokenFile = AwsProfiles.home(env).resolve(".aws").resolve("sso").resolve("cache")
                .resolve(sha1(cacheKey) + ".json");
        String override = env.getOrDefault("AWS_ENDPOINT_URL_SSO", env.get("AWS_ENDPOINT_URL"));
        URI portal = URI.create(override != null && !override.isEmpty() ? override
                : "https://portal.sso." + region + ".amazonaws.com");
        return new AwsSso(profile, cacheKey, accountId, roleName, tokenFile, portal);
    }

    /** Reads the cached token on {@code files}, then asks the portal for the role's credentials. */
    CompletionStage<Expiring<SigV4.Credentials>> fetch(HttpClient client, Clock clock, Executor files) {
        return CompletableFuture.supplyAsync(() -> token(clock.instant()), files).thenCompose(token -> {
            String base = portal.toString().endsWith("/") ? portal.toString() : portal + "/";
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "federation/credentials?role_name="
                            + encode(roleName) + "&account_id=" + encode(accountId)))
                    .timeout(Duration.ofSeconds(30))
                    .header("x-amz-sso_bearer_token", token)
                    .GET()
                    .build();
            return client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                    .thenApply(response -> credentials(response.statusCode(), response.body(), clock.instant()));
        });
    }

    /** The cached access token, if it has not expired at {@code now}. */
    String token(Instant now) {
        String json;
        try {
            json = Files.readString(tokenFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw loginNeeded("has no cached token (" + tokenFile + ")");
        } catch (IOException e) {
            throw new UpstreamAuth.CredentialsException("The SSO token cache " + tokenFile + " cannot be read: " + e);
        }
        Map<String, String> fields = AwsJson.fields(json, null);
        String token = fields == null ? null : fields.get("accessToken");
        String expiresAt = fields == null ? null : fields.get("expiresAt");
        if (token == null || expiresAt == null) {
            throw loginNeeded("has an unreadable cached token (" + tokenFile + ")");
        }
        if (!now.isBefore(AwsJson.instant(expiresAt, "The SSO token cache " + tokenFile))) {
            throw loginNeeded("has a cached token that expired at " + expiresAt);
        }
        return token;
    }

    /** Reads the portal's answer, received at {@code now}. */
    Expiring<SigV4.Credentials> credentials(int status, String body, Instant now) {
        if (status == 401 || status == 403) {
            throw loginNeeded("was refused by the SSO portal (HTTP " + status + ")");
        }
        Map<String, String> fields = status == 200 ? AwsJson.fields(body, "roleCredentials") : null;
        String keyId = fields == null ? null : fields.get("accessKeyId");
        String secret = fields == null ? null : fields.get("secretAccessKey");
        if (fields == null || keyId == null || secret == null) {
            throw new UpstreamAuth.CredentialsException("The SSO portal gave no credentials for the role " + roleName
                    + " of account " + accountId + " (HTTP " + status + ")");
        }
        long seconds = AwsProfiles.STATIC_KEYS_SECONDS;
        String expiration = fields.get("expiration");
        if (expiration != null) {
            try {
                seconds = Math.max(0, (Long.parseLong(expiration) - now.toEpochMilli()) / 1000);
            } catch (NumberFormatException e) {
                throw new UpstreamAuth.CredentialsException("The SSO portal answered an unreadable expiration: "
                        + expiration);
            }
        }
        return new Expiring<>(new SigV4.Credentials(keyId, secret, fields.get("sessionToken")), seconds);
    }

    private UpstreamAuth.CredentialsException loginNeeded(String problem) {
        return new UpstreamAuth.CredentialsException("The AWS SSO session of the profile '" + profile + "' " + problem
                + ": run `aws sso login --profile " + profile + "` where the proxy's ~/.aws is");
    }

    private static String required(String profile, Map<String, String> values, String name) {
        String value = values.get(name);
        if (value == null) {
            throw new UpstreamAuth.CredentialsException("The AWS SSO profile '" + profile + "' has no " + name);
        }
        return value;
    }

    static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
