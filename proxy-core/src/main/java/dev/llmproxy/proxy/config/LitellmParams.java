package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One {@code model_list[].litellm_params} block, with every {@code os.environ/NAME} already resolved. Absent keys are
 * {@code null}. {@link #toString()} masks the API key.
 *
 * @param model {@code <provider>/<upstream model>} or a bare model name whose provider is inferred
 * @param apiKey the provider key, or {@code null} to use the provider's environment variable
 * @param apiBase the provider base URL, or {@code null} for the provider default
 * @param apiVersion the API version (Azure), or {@code null}
 * @param timeout the request timeout, or {@code null} to inherit
 * @param streamTimeout the timeout of a streamed request, or {@code null} to inherit
 * @param mockResponse a canned completion text returned without calling the provider, or {@code null}
 * @param sslVerify upstream TLS verification, or {@code null} to inherit {@code litellm_settings.ssl_verify}
 * @param weight the simple-shuffle weight, or {@code null}
 * @param rpm requests per minute, or {@code null}
 * @param tpm tokens per minute, or {@code null}
 * @param rpd requests per day, or {@code null}
 * @param maxRetries retries of a failed call, or {@code null}
 * @param organization the OpenAI organization id, or {@code null}
 * @param extraParams every other key, as LiteLLM passes them to the provider (values are String, Boolean, Long,
 *     BigInteger, Double, List, Map or null)
 */
public record LitellmParams(
        String model,
        @Nullable String apiKey,
        @Nullable String apiBase,
        @Nullable String apiVersion,
        @Nullable Duration timeout,
        @Nullable Duration streamTimeout,
        @Nullable String mockResponse,
        @Nullable SslVerify sslVerify,
        @Nullable Double weight,
        @Nullable Long rpm,
        @Nullable Long tpm,
        @Nullable Long rpd,
        @Nullable Integer maxRetries,
        @Nullable String organization,
        Map<String, @Nullable Object> extraParams) {

    public LitellmParams {
        requireNonNull(model, "model");
        requireNonNull(extraParams, "extraParams");
    }

    @Override
    public String toString() {
        return "LitellmParams[model=" + model + ", apiKey=" + (apiKey == null ? "null" : "****") + ", apiBase="
                + apiBase + ", apiVersion=" + apiVersion + ", timeout=" + timeout + ", streamTimeout=" + streamTimeout
                + ", sslVerify=" + sslVerify + ", weight=" + weight + ", rpm=" + rpm + ", tpm=" + tpm + ", rpd=" + rpd
                + ", maxRetries=" + maxRetries + ", extraParams=" + extraParams.keySet() + ']';
    }
}
