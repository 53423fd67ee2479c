package dev.llmproxy.proxy.metrics;

import dev.llmproxy.proxy.call.ProxyError;
import org.jspecify.annotations.Nullable;

/**
 * LiteLLM's {@code exception_class} label: the Python exception a failure would have raised there. Provider failures
 * are {@code <Provider>.<OpenAI SDK class>} with the provider capitalised as Python's {@code str.capitalize()} does
 * ({@code Openai.RateLimitError}, LiteLLM's {@code exception_type} mapping of the provider's status); what the proxy
 * refuses itself is {@code ProxyException}; no deployment left is {@code RouterRateLimitError}.
 *
 * <p>Thread-safety: stateless. Called when a series is first seen, not per request.
 */
final class ExceptionClasses {
    static final String PROXY_EXCEPTION = "ProxyException";
    static final String ROUTER_RATE_LIMIT = "RouterRateLimitError";

    private ExceptionClasses() {}

    /**
     * The class of a failure.
     *
     * @param error the gateway's failure, or null when the provider answered with {@code status}
     * @param status the status the client (or the attempt) got
     * @param deployment the deployment that failed, or null when none was tried
     */
    static String of(@Nullable ProxyError error, int status, @Nullable DeploymentLabels deployment) {
        if (error == null) {
            return deployment == null ? openAiClass(status) : deployment.exceptionPrefix + '.' + openAiClass(status);
        }
        return switch (error) {
            case NO_DEPLOYMENT_AVAILABLE -> ROUTER_RATE_LIMIT;
            case UPSTREAM_TIMEOUT -> provider(deployment, "Timeout");
            case UPSTREAM_CONNECT_FAILED, UPSTREAM_TLS_FAILED, UPSTREAM_CLOSED ->
                    provider(deployment, "APIConnectionError");
            default -> PROXY_EXCEPTION;
        };
    }

    /** The OpenAI SDK class LiteLLM raises for a provider's HTTP status. */
    static String openAiClass(int status) {
        return switch (status) {
            case 400 -> "BadRequestError";
            case 401 -> "AuthenticationError";
            case 403 -> "PermissionDeniedError";
            case 404 -> "NotFoundError";
            case 408, 504 -> "Timeout";
            case 422 -> "UnprocessableEntityError";
            case 429 -> "RateLimitError";
            case 500 -> "InternalServerError";
            case 502 -> "APIConnectionError";
            case 503 -> "ServiceUnavailableError";
            default -> status >= 400 && status < 500 ? "BadRequestError" : "APIError";
        };
    }

    private static String provider(@Nullable DeploymentLabels deployment, String type) {
        return deployment == null ? type : deployment.exceptionPrefix + '.' + type;
    }
}
