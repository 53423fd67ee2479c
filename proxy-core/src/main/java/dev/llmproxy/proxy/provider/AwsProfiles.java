package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.bedrock.SigV4;
import dev.llmproxy.proxy.provider.TokenRefresher.Expiring;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Credentials of a named profile in the AWS shared files, as boto3 (and so LiteLLM's {@code aws_profile_name}) reads
 * them: the credentials file ({@code [name]} sections) over the config file ({@code [profile name]}, and
 * {@code [default]}). A profile has its own keys ({@code aws_access_key_id}, {@code aws_secret_access_key},
 * {@code aws_session_token}); or a {@code role_arn} assumed through STS with the keys of its {@code source_profile}
 * (with {@code external_id} and {@code role_session_name}); or a {@code role_arn} and a
 * {@code web_identity_token_file} for {@code AssumeRoleWithWebIdentity}.
 *
 * <p>The files are read again at every refresh, on {@code files} (never on an event loop): a rotated key or token is
 * picked up within the hour that a profile's own keys are kept, or when temporary credentials expire.
 *
 * <p>Thread-safety: immutable.
 *
 * @param credentialsFile {@code AWS_SHARED_CREDENTIALS_FILE}, else {@code ~/.aws/credentials}; may not exist
 * @param configFile {@code AWS_CONFIG_FILE}, else {@code ~/.aws/config}; may not exist
 * @param sts where roles are assumed: STS's endpoint and signing region, a session name for profiles without one
 * @param files where the files are read
 */
public record AwsProfiles(Path credentialsFile, Path configFile, AwsAssumeRole.Target sts, Executor files) {
    /** Keys read from a file are kept as LiteLLM keeps its boto3 credentials: a little under an hour. */
    static final long STATIC_KEYS_SECONDS = 59 * 60;

    public AwsProfiles {
        requireNonNull(credentialsFile, "credentialsFile");
        requireNonNull(configFile, "configFile");
        requireNonNull(sts, "sts");
        requireNonNull(files, "files");
    }

    /** The files named by the environment, as the AWS SDKs find them. */
    public static AwsProfiles of(Map<String, String> env, AwsAssumeRole.Target sts, Executor files) {
        String home = env.getOrDefault("HOME", System.getProperty("user.home", "."));
        Path aws = Path.of(home, ".aws");
        String credentials = env.get("AWS_SHARED_CREDENTIALS_FILE");
        String config = env.get("AWS_CONFIG_FILE");
        return new AwsProfiles(credentials != null && !credentials.isEmpty() ? Path.of(credentials)
                : aws.resolve("credentials"), config != null && !config.isEmpty() ? Path.of(config)
                : aws.resolve("config"), sts, files);
    }

    /** {@code profile}'s credentials, the files read at each fetch. */
    public Source profile(String profile) {
        requireNonNull(profile, "profile");
        return (client, clock) -> CompletableFuture.supplyAsync(() -> resolve(profile), files)
                .thenCompose(resolved -> resolved.fetch(client, clock));
    }

    /** {@code AssumeRole} for {@code roleArn}, signed with the credentials of {@code signing}. */
    public Source assumingRole(Source signing, String roleArn, @Nullable String externalId) {
        requireNonNull(signing, "signing");
        requireNonNull(roleArn, "roleArn");
        return (client, clock) -> signing.fetch(client, clock).thenCompose(key ->
                new AwsAssumeRole(sts, roleArn, sts.sessionName(), externalId, key.value(), null).fetch(client, clock));
    }

    /**
     * {@code AssumeRoleWithWebIdentity} for {@code roleArn} with the token in {@code tokenFile}, read again at each
     * fetch (Kubernetes rotates it): IRSA's {@code AWS_WEB_IDENTITY_TOKEN_FILE} and {@code AWS_ROLE_ARN}, or a
     * LiteLLM {@code oidc/file/} token.
     */
    public Source webIdentity(Path tokenFile, String roleArn) {
        requireNonNull(tokenFile, "tokenFile");
        requireNonNull(roleArn, "roleArn");
        return (client, clock) -> CompletableFuture.supplyAsync(() -> readToken(tokenFile), files)
                .thenCompose(token -> new AwsAssumeRole(sts, roleArn, sts.sessionName(), null, null, token)
                        .fetch(client, clock));
    }

    private Resolved resolve(String name) {
        Map<String, Map<String, String>> profiles = new HashMap<>();
        read(configFile, true, profiles);
        read(credentialsFile, false, profiles);
        return resolve(name, profiles, new HashSet<>());
    }

    private Resolved resolve(String name, Map<String, Map<String, String>> profiles, Set<String> seen) {
        Map<String, String> profile = profiles.get(name);
        if (profile == null) {
            throw new UpstreamAuth.CredentialsException("The AWS profile '" + name + "' is in neither "
                    + credentialsFile + " nor " + configFile);
        }
        if (!seen.add(name)) {
            throw new UpstreamAuth.CredentialsException("The AWS profile '" + name + "' is its own source_profile");
        }
        String roleArn = profile.get("role_arn");
        String session = profile.getOrDefault("role_session_name", sts.sessionName());
        if (roleArn != null) {
            String tokenFile = profile.get("web_identity_token_file");
            if (tokenFile != null) {
                String token = readToken(Path.of(tokenFile));
                return (client, clock) -> new AwsAssumeRole(sts, roleArn, session, null, null, token)
                        .fetch(client, clock);
            }
            String source = profile.get("source_profile");
            if (source == null) {
                throw new UpstreamAuth.CredentialsException("The AWS profile '" + name + "' has a role_arn but "
                        + "neither a source_profile nor a web_identity_token_file");
            }
            Resolved sourceCredentials = resolve(source, profiles, seen);
            String externalId = profile.get("external_id");
            return (client, clock) -> sourceCredentials.fetch(client, clock).thenCompose(key ->
                    new AwsAssumeRole(sts, roleArn, session, externalId, key.value(), null).fetch(client, clock));
        }
        String keyId = profile.get("aws_access_key_id");
        String secret = profile.get("aws_secret_access_key");
        if (keyId == null || secret == null) {
            throw new UpstreamAuth.CredentialsException("The AWS profile '" + name + "' has no aws_access_key_id "
                    + "and aws_secret_access_key, and no role_arn");
        }
        Expiring<SigV4.Credentials> keys = new Expiring<>(
                new SigV4.Credentials(keyId, secret, profile.get("aws_session_token")), STATIC_KEYS_SECONDS);
        return (client, clock) -> CompletableFuture.completedFuture(keys);
    }

    /** A web identity token file's content, trimmed (Kubernetes writes it without a newline, people with one). */
    static String readToken(Path file) {
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) {
                throw new UpstreamAuth.CredentialsException("The web identity token file " + file + " is empty");
            }
            return token;
        } catch (IOException e) {
            throw new UpstreamAuth.CredentialsException("The web identity token file " + file
                    + " cannot be read: " + e);
        }
    }

    /** Adds the profiles of one file, a later file's values over an earlier's; a missing file has none. */
    private static void read(Path file, boolean configFile, Map<String, Map<String, String>> profiles) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new UpstreamAuth.CredentialsException("The AWS file " + file + " cannot be read: " + e);
        }
        parse(text, configFile).forEach((name, values) ->
                profiles.computeIfAbsent(name, n -> new HashMap<>()).putAll(values));
    }

    /**
     * The sections of an AWS INI file: {@code [name]} in the credentials file, {@code [profile name]} (or
     * {@code [default]}) in the config file; {@code #} and {@code ;} start comments; nested values (an indented line
     * under {@code s3 =}) are not credentials and are skipped.
     */
    static Map<String, Map<String, String>> parse(String text, boolean configFile) {
        Map<String, Map<String, String>> sections = new HashMap<>();
        @Nullable Map<String, String> current = null;
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                String name = line.substring(1, line.length() - 1).strip();
                if (configFile && name.startsWith("profile ")) {
                    name = name.substring(8).strip();
                } else if (configFile && !name.equals("default")) {
                    // sso-session and services sections of the config file are not profiles.
                    current = null;
                    continue;
                }
                current = sections.computeIfAbsent(name, n -> new HashMap<>());
                continue;
            }
            int equals = line.indexOf('=');
            if (current == null || equals < 0 || Character.isWhitespace(raw.charAt(0))) {
                continue;
            }
            String value = line.substring(equals + 1).strip();
            if (!value.isEmpty()) {
                current.put(line.substring(0, equals).strip().toLowerCase(Locale.ROOT), value);
            }
        }
        return sections;
    }

    /** A profile whose files have been read: how its credentials are got. */
    private interface Resolved {
        CompletionStage<Expiring<SigV4.Credentials>> fetch(HttpClient client, Clock clock);
    }

    /**
     * Where a deployment's credentials come from, fetched by {@link BedrockAuth#refreshing} when they are first needed
     * and again before they expire; completes on the file executor or the HTTP client's threads, exceptionally with
     * an {@link UpstreamAuth.CredentialsException}.
     */
    public interface Source {
        CompletionStage<Expiring<SigV4.Credentials>> fetch(HttpClient client, Clock clock);
    }
}
