package dev.llmproxy.proxy.route;

import dev.llmproxy.codec.bedrock.SigV4;
import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.DeploymentConfig;
import dev.llmproxy.proxy.provider.BedrockAdapter;
import dev.llmproxy.proxy.provider.BedrockAuth;
import dev.llmproxy.proxy.provider.UpstreamAuth;
import java.time.Clock;
import java.util.List;
import java.util.Map;
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
 *       ({@code AWS_SESSION_TOKEN} only with the environment's key).
 * </ul>
 *
 * <p>Thread-safety: immutable.
 *
 * @param region the signing region
 * @param defaultEndpoint the runtime endpoint when {@code api_base} and {@code AWS_BEDROCK_RUNTIME_ENDPOINT} are unset
 */
record BedrockSettings(String region, String defaultEndpoint) {
    private static final Pattern REGION = Pattern.compile("[a-z0-9-]+");
    private static final String DEFAULT_REGION = "us-west-2";

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
     * {@code AWS_BEARER_TOKEN_BEDROCK}) is set, else SigV4 with the configured or environment credentials, else none
     * (AWS then answers 403, which the client gets as an OpenAI error).
     */
    UpstreamAuth auth(DeploymentConfig entry, Map<String, String> env, @Nullable String apiKey, Clock clock) {
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
        if (keyId == null || secret == null) {
            return UpstreamAuth.NONE;
        }
        return new BedrockAuth(new SigV4.Credentials(keyId, secret, token), region, clock);
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
