package dev.llmproxy.proxy.route;

import dev.llmproxy.codec.bedrock.SigV4;
import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.DeploymentConfig;
import dev.llmproxy.proxy.provider.AwsAssumeRole;
import dev.llmproxy.proxy.provider.AwsProfiles;
import dev.llmproxy.proxy.provider.BedrockAdapter;
import dev.llmproxy.proxy.provider.BedrockAuth;
import dev.llmproxy.proxy.provider.UpstreamAuth;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A Bedrock deployment's region, runtime endpoint and credentials, read as LiteLLM reads them (provider spec, section
 * 5.1): each {@code aws_*} parameter of {@code litellm_params} falls back to its standard AWS environment variable.
 *
 * <ul>
 *   <li>region: {@code aws_region_name}, {@code AWS_REGION_NAME}, {@code AWS_REGION}, the region of a model ARN, else
 *       {@code us-west-2};
 *   <li>endpoint: {@code api_base}, {@code aws_bedrock_runtime_endpoint}, {@code AWS_BEDROCK_RUNTIME_ENDPOINT}, else
 *       {@code https://bedrock-runtime.<region>.amazonaws.com};
 *   <li>credentials: {@code api_key} or {@code AWS_BEARER_TOKEN_BEDROCK} (a Bedrock API key, sent as a bearer token),
 *       else {@code aws_access_key_id}/{@code aws_secret_access_key}/{@code aws_session_token} or
 *       {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}/{@code AWS_SESSION_TOKEN} for SigV4
 *       ({@code AWS_SESSION_TOKEN} only with the environment's key);
 *   <li>a role: {@code aws_role_name} ({@code AWS_ROLE_NAME}) with {@code aws_session_name}
 *       ({@code AWS_SESSION_NAME}, else {@code litellm-session-<epoch seconds>}) and {@code aws_external_id}: STS
 *       {@code AssumeRole} signed with the key above, or {@code AssumeRoleWithWebIdentity} when
 *       {@code aws_web_identity_token} ({@code AWS_WEB_IDENTITY_TOKEN}) is set; STS is {@code aws_sts_endpoint}
 *       ({@code AWS_STS_ENDPOINT}), else {@code https://sts.<region>.amazonaws.com}, signed for the endpoint's
 *       region, else {@code AWS_REGION}, {@code AWS_DEFAULT_REGION} or the deployment's region, as LiteLLM does;
 *       {@code aws_web_identity_token} may also be LiteLLM's {@code oidc/file/<path>} or {@code oidc/env_path/<VAR>}
 *       (a token file, read again at each refresh) or {@code oidc/env/<VAR>};
 *   <li>a profile of the AWS shared files ({@link AwsProfiles}: its keys, its {@code role_arn} with its
 *       {@code source_profile} or {@code credential_source}, its {@code web_identity_token_file}, SSO, its
 *       {@code credential_process}): {@code aws_profile_name}, which comes before the environment's key (boto3's
 *       {@code Session(profile_name=...)}); with {@code aws_role_name} the profile's credentials sign the AssumeRole;
 *   <li>with none of the above, boto3's default chain ({@link AwsProfiles#defaultChain}): {@code AWS_PROFILE}, else
 *       the {@code default} profile, with IRSA's {@code AWS_ROLE_ARN} and {@code AWS_WEB_IDENTITY_TOKEN_FILE} before
 *       the profile's own sources, then the container credentials endpoint and the EC2 instance metadata service;
 *       an {@code aws_role_name} without a key is assumed with the default chain's credentials, as LiteLLM's
 *       {@code boto3.client("sts")} does.
 * </ul>
 *
 * <p>Every source but fixed keys is fetched off the event loop when the first request needs it and again before its
 * credentials expire; when the chain finds nothing, the call fails with an error that says where it looked.
 *
 * <p>Thread-safety: immutable.
 *
 * @param region the signing region
 * @param defaultEndpoint the runtime endpoint when {@code api_base} and {@code AWS_BEDROCK_RUNTIME_ENDPOINT} are unset
 */
record BedrockSettings(String region, String defaultEndpoint) {
    private static final Pattern REGION = Pattern.compile("[a-z0-9-]+");
    private static final String DEFAULT_REGION = "us-west-2";
    private static final String OIDC_FILE = "oidc/file/";
    private static final String OIDC_ENV_PATH = "oidc/env_path/";
    private static final String OIDC_ENV = "oidc/env/";

    static BedrockSettings of(DeploymentConfig entry, Map<String, String> env, String upstreamModel) {
        Map<String, Object> extra = entry.litellmParams().extraParams();
        String region = first(extra.get("aws_region_name"), env, List.of("AWS_REGION_NAME", "AWS_REGION"));
        if (region == null) {
            region = arnRegion(BedrockAdapter.modelId(upstreamModel));
        }
        if (region == null) {
            region = DEFAULT_REGION;
        }
        if (!REGION.matcher(region).matches()) {
            throw new ConfigException(entry.location(), entry.keyPath() + ".litellm_params.aws_region_name",
                    "expected an AWS region such as us-west-2, got '" + region + "'");
        }
        Object endpoint = extra.get("aws_bedrock_runtime_endpoint");
        return new BedrockSettings(region, endpoint != null && !endpoint.toString().isEmpty() ? endpoint.toString()
                : "https://bedrock-runtime." + region + ".amazonaws.com");
    }

    /**
     * The deployment's auth: a bearer token when {@code apiKey} (the resolved {@code api_key} or
     * {@code AWS_BEARER_TOKEN_BEDROCK}) is set, else SigV4 with the configured or environment credentials, else with
     * those of a profile or of the default chain; with a role, temporary credentials from STS.
     *
     * @param stsClient the HTTP client STS, SSO and the metadata endpoints are called with, asked for only when the
     *     credentials are not fixed keys
     */
    UpstreamAuth auth(DeploymentConfig entry, Map<String, String> env, @Nullable String apiKey, Clock clock,
            Supplier<HttpClient> stsClient) {
        if (apiKey != null) {
            return BedrockAuth.bearer(apiKey);
        }
        Map<String, Object> extra = entry.litellmParams().extraParams();
        Object configuredKeyId = extra.get("aws_access_key_id");
        String keyId = first(configuredKeyId, env, List.of("AWS_ACCESS_KEY_ID"));
        String secret = first(extra.get("aws_secret_access_key"), env, List.of("AWS_SECRET_ACCESS_KEY"));
        // The environment's session token belongs to the environment's key: a configured key without its own
        // aws_session_token is a long-term key, and a foreign token would make AWS refuse it.
        String token = first(extra.get("aws_session_token"), configuredKeyId == null ? env : Map.of(),
                List.of("AWS_SESSION_TOKEN"));
        SigV4.Credentials key = keyId == null || secret == null ? null : new SigV4.Credentials(keyId, secret, token);
        String role = first(extra.get("aws_role_name"), env, List.of("AWS_ROLE_NAME"));
        String profile = configuredKeyId == null ? first(extra.get("aws_profile_name"), Map.of(), List.of()) : null;
        if (profile != null) {
            AwsProfiles profiles = profiles(env, stsTarget(entry, env, clock));
            AwsProfiles.Source source = profiles.profile(profile);
            if (role != null) {
                source = profiles.assumingRole(source, role,
                        first(extra.get("aws_external_id"), env, List.of("AWS_EXTERNAL_ID")));
            }
            return BedrockAuth.refreshing(source, region, stsClient.get(), clock);
        }
        if (role != null) {
            String tokenFile = webIdentityTokenFile(extra.get("aws_web_identity_token"), env);
            if (tokenFile != null) {
                return BedrockAuth.refreshing(profiles(env, stsTarget(entry, env, clock))
                        .webIdentity(Path.of(tokenFile), role), region, stsClient.get(), clock);
            }
            String webIdentityToken = webIdentityToken(extra.get("aws_web_identity_token"), env);
            if (key == null && webIdentityToken == null) {
                AwsProfiles profiles = profiles(env, stsTarget(entry, env, clock));
                return BedrockAuth.refreshing(profiles.assumingRole(profiles.defaultChain(), role,
                        first(extra.get("aws_external_id"), env, List.of("AWS_EXTERNAL_ID"))), region,
                        stsClient.get(), clock);
            }
            return BedrockAuth.assumingRole(assumeRole(entry, env, role, key, webIdentityToken, clock), region,
                    stsClient.get(), clock);
        }
        if (key != null) {
            return new BedrockAuth(key, region, clock);
        }
        return BedrockAuth.refreshing(profiles(env, stsTarget(entry, env, clock)).defaultChain(), region,
                stsClient.get(), clock);
    }

    /** The shared files; read on the common pool, as they are small and read once an hour at most. */
    private static AwsProfiles profiles(Map<String, String> env, AwsAssumeRole.Target sts) {
        return AwsProfiles.of(env, sts, ForkJoinPool.commonPool());
    }

    /**
     * The token file of LiteLLM's {@code oidc/file/<path>} or {@code oidc/env_path/<VAR>} form of
     * {@code aws_web_identity_token}, or {@code null} for a token given as it is.
     */
    private static @Nullable String webIdentityTokenFile(@Nullable Object configured, Map<String, String> env) {
        String value = configured == null ? null : configured.toString();
        if (value == null) {
            return null;
        }
        if (value.startsWith(OIDC_FILE)) {
            return value.substring(OIDC_FILE.length());
        }
        return value.startsWith(OIDC_ENV_PATH) ? env.get(value.substring(OIDC_ENV_PATH.length())) : null;
    }

    /** The web identity token itself: as configured, LiteLLM's {@code oidc/env/<VAR>}, or the environment's. */
    private static @Nullable String webIdentityToken(@Nullable Object configured, Map<String, String> env) {
        String value = configured == null ? null : configured.toString();
        if (value != null && value.startsWith(OIDC_ENV)) {
            return env.get(value.substring(OIDC_ENV.length()));
        }
        return first(value, env, List.of("AWS_WEB_IDENTITY_TOKEN"));
    }

    private AwsAssumeRole assumeRole(DeploymentConfig entry, Map<String, String> env, String role,
            SigV4.@Nullable Credentials key, @Nullable String webIdentityToken, Clock clock) {
        Map<String, Object> extra = entry.litellmParams().extraParams();
        AwsAssumeRole.Target sts = stsTarget(entry, env, clock);
        return new AwsAssumeRole(sts.endpoint(), sts.region(), role, sts.sessionName(),
                first(extra.get("aws_external_id"), env, List.of("AWS_EXTERNAL_ID")), key, webIdentityToken);
    }

    /** STS's endpoint and signing region, and the role session's name, as configured or by LiteLLM's defaults. */
    private AwsAssumeRole.Target stsTarget(DeploymentConfig entry, Map<String, String> env, Clock clock) {
        Map<String, Object> extra = entry.litellmParams().extraParams();
        String endpoint = first(extra.get("aws_sts_endpoint"), env, List.of("AWS_STS_ENDPOINT"));
        URI sts;
        try {
            sts = new URI(endpoint != null ? endpoint : "https://sts." + region + ".amazonaws.com");
        } catch (URISyntaxException e) {
            throw new ConfigException(entry.location(), entry.keyPath() + ".litellm_params.aws_sts_endpoint",
                    "expected an http(s) URL, got '" + endpoint + "'");
        }
        if (sts.getHost() == null || !("https".equals(sts.getScheme()) || "http".equals(sts.getScheme()))) {
            throw new ConfigException(entry.location(), entry.keyPath() + ".litellm_params.aws_sts_endpoint",
                    "expected an http(s) URL, got '" + endpoint + "'");
        }
        String stsRegion = AwsAssumeRole.regionOf(sts);
        if (stsRegion == null) {
            stsRegion = first(null, env, List.of("AWS_REGION", "AWS_DEFAULT_REGION"));
        }
        String session = first(extra.get("aws_session_name"), env,
                List.of("AWS_SESSION_NAME", "AWS_ROLE_SESSION_NAME"));
        return new AwsAssumeRole.Target(sts, stsRegion != null ? stsRegion : region,
                session != null ? session : "litellm-session-" + clock.millis() / 1000);
    }

    /** {@code arn:aws:bedrock:<region>:...}'s region, or {@code null}. */
    private static @Nullable String arnRegion(String modelId) {
        if (!modelId.startsWith("arn:")) {
            return null;
        }
        String[] parts = modelId.split(":", 5);
        return parts.length > 3 && !parts[3].isEmpty() ? parts[3] : null;
    }

    private static @Nullable String first(@Nullable Object configured, Map<String, String> env, List<String> names) {
        if (configured != null && !configured.toString().isEmpty()) {
            return configured.toString();
        }
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return null;
    }
}
