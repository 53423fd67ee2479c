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
 * AWS credentials found as boto3 (and so LiteLLM) finds them, from a named profile of the AWS shared files or down
 * boto3's default chain. The files are the credentials file ({@code [name]} sections) over the config file
 * ({@code [profile name]}, and {@code [default]}); a profile is tried as boto3 tries it:
 * <ol>
 *   <li>a {@code role_arn} assumed through STS with the credentials of its {@code source_profile} (itself resolved
 *       the same way, roles chained) or its {@code credential_source} ({@code Environment},
 *       {@code Ec2InstanceMetadata}, {@code EcsContainer}), with {@code external_id} and {@code role_session_name};
 *   <li>{@code AssumeRoleWithWebIdentity} with a role and a token file: the environment's {@code AWS_ROLE_ARN} and
 *       {@code AWS_WEB_IDENTITY_TOKEN_FILE} (IRSA) over the profile's {@code role_arn} and
 *       {@code web_identity_token_file};
 *   <li>IAM Identity Center ({@link AwsSso}: {@code sso_session} or the legacy {@code sso_start_url});
 *   <li>the credentials file's keys ({@code aws_access_key_id}, {@code aws_secret_access_key},
 *       {@code aws_session_token});
 *   <li>{@code credential_process} ({@link AwsCredentialProcess});
 *   <li>the config file's keys;
 * </ol>
 * and past the profile, the container credentials endpoint ({@link AwsContainerCredentials}) and the EC2 instance
 * metadata service ({@link AwsInstanceMetadata}). A profile named in the configuration or {@code AWS_PROFILE} must
 * exist; the {@code default} profile of the default chain may be missing.
 *
 * <p>The files are read again at every refresh, on {@code files} (never on an event loop): a rotated key, token or
 * profile is picked up within the hour that keys read from a file are kept, or when temporary credentials expire.
 *
 * <p>Thread-safety: immutable.
 *
 * @param credentialsFile {@code AWS_SHARED_CREDENTIALS_FILE}, else {@code ~/.aws/credentials}; may not exist
 * @param configFile {@code AWS_CONFIG_FILE}, else {@code ~/.aws/config}; may not exist
 * @param sts where roles are assumed: STS's endpoint and signing region, a session name for profiles without one
 * @param files where the files are read
 * @param env the process environment: {@code HOME}, {@code AWS_PROFILE} and the variables of IRSA, SSO, the
 *     container and instance metadata sources
 */
public record AwsProfiles(Path credentialsFile, Path configFile, AwsAssumeRole.Target sts, Executor files,
        Map<String, String> env) {
    /** Keys read from a file are kept as LiteLLM keeps its boto3 credentials: a little under an hour. */
    static final long STATIC_KEYS_SECONDS = 59 * 60;

    public AwsProfiles {
        requireNonNull(credentialsFile, "credentialsFile");
        requireNonNull(configFile, "configFile");
        requireNonNull(sts, "sts");
        requireNonNull(files, "files");
        env = Map.copyOf(env);
    }

    /** The files named by the environment, as the AWS SDKs find them. */
    public static AwsProfiles of(Map<String, String> env, AwsAssumeRole.Target sts, Executor files) {
        Path aws = home(env).resolve(".aws");
        String credentials = env.get("AWS_SHARED_CREDENTIALS_FILE");
        String config = env.get("AWS_CONFIG_FILE");
        return new AwsProfiles(credentials != null && !credentials.isEmpty() ? Path.of(credentials)
                : aws.resolve("credentials"), config != null && !config.isEmpty() ? Path.of(config)
                : aws.resolve("config"), sts, files, env);
    }

    /** The home directory the AWS tools use: {@code HOME}, else the JVM's. */
    static Path home(Map<String, String> env) {
        String home = env.get("HOME");
        return Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home", "."));
    }

    /** {@code profile}'s credentials, and past it the container's or the instance's; the files read at each fetch. */
    public Source profile(String profile) {
        requireNonNull(profile, "profile");
        return chain(profile, true);
    }

    /**
     * boto3's default chain for a deployment that names no credentials and an environment without
     * {@code AWS_ACCESS_KEY_ID}: {@code AWS_PROFILE}'s (which must exist), else the {@code default} profile's (which
     * may not), then the container's or the instance's.
     */
    public Source defaultChain() {
        String named = env.get("AWS_PROFILE");
        return named != null && !named.isEmpty() ? chain(named, true) : chain("default", false);
    }

    private Source chain(String profile, boolean named) {
        return (client, clock) -> CompletableFuture.supplyAsync(() -> resolve(profile, named), files)
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

    private Resolved resolve(String name, boolean named) {
        AwsFiles files = AwsFiles.read(credentialsFile, configFile);
        Map<String, String> profile = files.profiles().get(name);
        if (profile == null && named) {
            throw notFound(name);
        }
        Map<String, String> values = profile != null ? profile : Map.of();
        Set<String> seen = new HashSet<>();
        seen.add(name);
        if (values.containsKey("role_arn") && !values.containsKey("web_identity_token_file")) {
            return assumeRole(name, values, files, seen);
        }
        String roleArn = first(env.get("AWS_ROLE_ARN"), values.get("role_arn"));
        String tokenFile = first(env.get("AWS_WEB_IDENTITY_TOKEN_FILE"), values.get("web_identity_token_file"));
        if (roleArn != null && tokenFile != null) {
            String session = first(env.get("AWS_ROLE_SESSION_NAME"), values.get("role_session_name"));
            return webIdentity(Path.of(tokenFile), roleArn, session);
        }
        Resolved fromProfile = fromProfile(name, values, files);
        return fromProfile != null ? fromProfile : outsideTheFiles(name, profile != null);
    }

    /**
     * boto3's providers of one profile, in its order: SSO, the credentials file's keys, {@code credential_process},
     * the config file's keys; {@code null} when the profile has none of them.
     */
    private @Nullable Resolved fromProfile(String name, Map<String, String> values, AwsFiles files) {
        if (values.containsKey("sso_session") || values.containsKey("sso_start_url")) {
            AwsSso sso = AwsSso.of(name, values, files.ssoSessions(), env);
            return (client, clock) -> sso.fetch(client, clock, this.files);
        }
        Resolved keys = keys(files.credentials().get(name));
        if (keys != null) {
            return keys;
        }
        String process = values.get("credential_process");
        if (process != null) {
            AwsCredentialProcess command = AwsCredentialProcess.of(process);
            return (client, clock) -> command.fetch(clock);
        }
        return keys(values);
    }

    /**
     * The sources after the shared files, in boto3's order: the container credentials endpoint, then the instance
     * metadata service; without either, an error that says where credentials were looked for.
     */
    private Resolved outsideTheFiles(String name, boolean profileFound) {
        String looked = "No AWS credentials were found: none in the environment (AWS_ACCESS_KEY_ID), "
                + (profileFound ? "none in the AWS profile '" + name + "'"
                        : "no AWS profile '" + name + "' in " + credentialsFile + " or " + configFile)
                + ", no container credentials (AWS_CONTAINER_CREDENTIALS_*)";
        AwsContainerCredentials container = AwsContainerCredentials.of(env);
        if (container != null) {
            return (client, clock) -> container.fetch(client, clock, files);
        }
        AwsInstanceMetadata metadata = AwsInstanceMetadata.of(env);
        if (metadata == null) {
            throw new UpstreamAuth.CredentialsException(looked + ", and the instance metadata service is disabled "
                    + "(AWS_EC2_METADATA_DISABLED)");
        }
        return (client, clock) -> metadata.fetch(client, clock).exceptionally(failure -> {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            throw new UpstreamAuth.CredentialsException(looked + ", and " + lowerFirst(cause.getMessage()));
        });
    }

    /** {@code AssumeRole} for a profile's {@code role_arn}, signed with its {@code source_profile}'s credentials. */
    private Resolved assumeRole(String name, Map<String, String> profile, AwsFiles files, Set<String> seen) {
        String roleArn = requireNonNull(profile.get("role_arn"), "role_arn");
        String source = profile.get("source_profile");
        String credentialSource = profile.get("credential_source");
        if (source != null && credentialSource != null) {
            throw new UpstreamAuth.CredentialsException("The AWS profile '" + name + "' has both a source_profile "
                    + "and a credential_source");
        }
        Resolved signing;
        if (source != null) {
            signing = sourceProfile(source, files, seen);
        } else if (credentialSource != null) {
            signing = credentialSource(name, credentialSource);
        } else {
            throw new UpstreamAuth.CredentialsException("The AWS profile '" + name + "' has a role_arn but "
                    + "neither a source_profile, a credential_source nor a web_identity_token_file");
        }
        String session = profile.getOrDefault("role_session_name", sts.sessionName());
        String externalId = profile.get("external_id");
        return (client, clock) -> signing.fetch(client, clock).thenCompose(key ->
                new AwsAssumeRole(sts, roleArn, session, externalId, key.value(), null).fetch(client, clock));
    }

    /**
     * A {@code source_profile}'s credentials: its own (keys, SSO, a process, a web identity token file) when it has
     * keys or no role, else its role assumed in turn.
     */
    private Resolved sourceProfile(String name, AwsFiles files, Set<String> seen) {
        Map<String, String> profile = files.profiles().get(name);
        if (profile == null) {
            throw notFound(name);
        }
        boolean hasRole = profile.containsKey("role_arn") && !profile.containsKey("web_identity_token_file");
        if (hasRole && keys(profile) == null) {
            if (!seen.add(name)) {
                throw new UpstreamAuth.CredentialsException("The AWS profile '" + name + "' is its own "
                        + "source_profile");
            }
            return assumeRole(name, profile, files, seen);
        }
        String roleArn = profile.get("role_arn");
        String tokenFile = profile.get("web_identity_token_file");
        if (roleArn != null && tokenFile != null) {
            return webIdentity(Path.of(tokenFile), roleArn, profile.get("role_session_name"));
        }
        Resolved own = fromProfile(name, profile, files);
        if (own == null) {
            throw new UpstreamAuth.CredentialsException("The AWS source profile '" + name + "' has no credentials");
        }
        return own;
    }

    /**
     * A role profile's {@code credential_source}: {@code Environment}, {@code Ec2InstanceMetadata} or
     * {@code EcsContainer}.
     */
    private Resolved credentialSource(String name, String credentialSource) {
        switch (credentialSource) {
            case "Environment" -> {
                String keyId = first(env.get("AWS_ACCESS_KEY_ID"), null);
                String secret = first(env.get("AWS_SECRET_ACCESS_KEY"), null);
                if (keyId == null || secret == null) {
                    throw new UpstreamAuth.CredentialsException("The AWS profile '" + name + "' takes its "
                            + "credentials from the environment, which has no AWS_ACCESS_KEY_ID and "
                            + "AWS_SECRET_ACCESS_KEY");
                }
                Expiring<SigV4.Credentials> keys = new Expiring<>(new SigV4.Credentials(keyId, secret,
                        first(env.get("AWS_SESSION_TOKEN"), null)), STATIC_KEYS_SECONDS);
                return (client, clock) -> CompletableFuture.completedFuture(keys);
            }
            case "Ec2InstanceMetadata" -> {
                AwsInstanceMetadata metadata = AwsInstanceMetadata.of(env);
                if (metadata == null) {
                    throw new UpstreamAuth.CredentialsException("The AWS profile '" + name + "' takes its "
                            + "credentials from the instance metadata service, which is disabled");
                }
                return metadata::fetch;
            }
            case "EcsContainer" -> {
                AwsContainerCredentials container = AwsContainerCredentials.of(env);
                if (container == null) {
                    throw new UpstreamAuth.CredentialsException("The AWS profile '" + name + "' takes its "
                            + "credentials from the container, but AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
                            + "AWS_CONTAINER_CREDENTIALS_FULL_URI are unset");
                }
                return (client, clock) -> container.fetch(client, clock, files);
            }
            default -> throw new UpstreamAuth.CredentialsException("The AWS profile '" + name + "' has the "
                    + "credential_source '" + credentialSource + "' (expected: Environment, Ec2InstanceMetadata or "
                    + "EcsContainer)");
        }
    }

    /** {@code AssumeRoleWithWebIdentity} with a token file read now, on the file executor. */
    private Resolved webIdentity(Path tokenFile, String roleArn, @Nullable String session) {
        String token = readToken(tokenFile);
        String sessionName = session != null ? session : sts.sessionName();
        return (client, clock) -> new AwsAssumeRole(sts, roleArn, sessionName, null, null, token).fetch(client, clock);
    }

    /** A section's own keys, kept as LiteLLM keeps boto3's, or {@code null} when it has none. */
    private static @Nullable Resolved keys(@Nullable Map<String, String> section) {
        if (section == null) {
            return null;
        }
        String keyId = section.get("aws_access_key_id");
        String secret = section.get("aws_secret_access_key");
        if (keyId == null || secret == null) {
            return null;
        }
        Expiring<SigV4.Credentials> keys = new Expiring<>(
                new SigV4.Credentials(keyId, secret, section.get("aws_session_token")), STATIC_KEYS_SECONDS);
        return (client, clock) -> CompletableFuture.completedFuture(keys);
    }

    private UpstreamAuth.CredentialsException notFound(String name) {
        return new UpstreamAuth.CredentialsException("The AWS profile '" + name + "' is in neither "
                + credentialsFile + " nor " + configFile);
    }

    private static @Nullable String first(@Nullable String value, @Nullable String otherwise) {
        return value != null && !value.isEmpty() ? value : otherwise;
    }

    private static String lowerFirst(@Nullable String message) {
        String text = String.valueOf(message);
        return text.isEmpty() ? text : Character.toLowerCase(text.charAt(0)) + text.substring(1);
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

    /**
     * The sections of an AWS INI file: {@code [name]} in the credentials file, {@code [profile name]} (or
     * {@code [default]}) in the config file; {@code #} and {@code ;} start comments; nested values (an indented line
     * under {@code s3 =}) are not credentials and are skipped.
     */
    static Map<String, Map<String, String>> parse(String text, boolean configFile) {
        Map<String, Map<String, String>> profiles = new HashMap<>();
        sections(text).forEach((section, values) -> {
            if (!configFile) {
                profiles.put(section, values);
            } else if (section.startsWith("profile ")) {
                profiles.computeIfAbsent(section.substring(8).strip(), n -> new HashMap<>()).putAll(values);
            } else if (section.equals("default")) {
                profiles.computeIfAbsent(section, n -> new HashMap<>()).putAll(values);
            }
        });
        return profiles;
    }

    /** Every section of an AWS INI file by its name as written ({@code profile dev}, {@code sso-session corp}). */
    static Map<String, Map<String, String>> sections(String text) {
        Map<String, Map<String, String>> sections = new HashMap<>();
        @Nullable Map<String, String> current = null;
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                String name = line.substring(1, line.length() - 1).strip().replaceAll("\\s+", " ");
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

    /**
     * The shared files as read at one refresh.
     *
     * @param profiles every profile, the credentials file's values over the config file's
     * @param credentials the credentials file's profiles alone
     * @param ssoSessions the config file's {@code [sso-session name]} sections, by name
     */
    private record AwsFiles(Map<String, Map<String, String>> profiles, Map<String, Map<String, String>> credentials,
            Map<String, Map<String, String>> ssoSessions) {
        static AwsFiles read(Path credentialsFile, Path configFile) {
            String configText = text(configFile);
            Map<String, Map<String, String>> profiles = parse(configText, true);
            Map<String, Map<String, String>> credentials = parse(text(credentialsFile), false);
            credentials.forEach((name, values) -> profiles.computeIfAbsent(name, n -> new HashMap<>())
                    .putAll(values));
            Map<String, Map<String, String>> sessions = new HashMap<>();
            sections(configText).forEach((section, values) -> {
                if (section.startsWith("sso-session ")) {
                    sessions.put(section.substring(12).strip(), values);
                }
            });
            return new AwsFiles(profiles, credentials, sessions);
        }

        /** A file's text; a missing file is empty. */
        private static String text(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                return "";
            } catch (IOException e) {
                throw new UpstreamAuth.CredentialsException("The AWS file " + file + " cannot be read: " + e);
            }
        }
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
