package dev.llmproxy.proxy.route;

/**
 * The kind of a failed attempt, as LiteLLM names its exception classes; retry policies, allowed-fails policies,
 * cooldowns and the choice of fallback list are decided by it.
 */
public enum ErrorClass {
    /** 400 and the other refusals of the request itself (413, 422, ...). */
    BAD_REQUEST,
    /** A 400 whose body says the prompt is longer than the model's context window. */
    CONTEXT_WINDOW_EXCEEDED,
    /** A 400 whose body says the provider's content policy refused the request. */
    CONTENT_POLICY_VIOLATION,
    /** 401. */
    AUTHENTICATION,
    /** 403. */
    PERMISSION_DENIED,
    /** 404. */
    NOT_FOUND,
    /** 408, and the gateway's own timeout waiting for a provider. */
    TIMEOUT,
    /** 409. */
    CONFLICT,
    /** 429. */
    RATE_LIMIT,
    /** 500 and the 5xx statuses without a class of their own. */
    INTERNAL_SERVER,
    /** 502, and the gateway failing to reach or talk to the provider (connect, TLS, closed connection). */
    BAD_GATEWAY,
    /** 503. */
    SERVICE_UNAVAILABLE,
    /** 504. */
    GATEWAY_TIMEOUT;

    /** The class of a provider's (or the gateway's) status {@code status}, from the status alone. */
    public static ErrorClass of(int status) {
        return switch (status) {
            case 401 -> AUTHENTICATION;
            case 403 -> PERMISSION_DENIED;
            case 404 -> NOT_FOUND;
            case 408 -> TIMEOUT;
            case 409 -> CONFLICT;
            case 429 -> RATE_LIMIT;
            case 502 -> BAD_GATEWAY;
            case 503 -> SERVICE_UNAVAILABLE;
            case 504 -> GATEWAY_TIMEOUT;
            default -> status >= 500 || status < 400 ? INTERNAL_SERVER : BAD_REQUEST;
        };
    }

    /**
     * Whether trying again could succeed without changing the request: LiteLLM's {@code _should_retry} (408, 409,
     * 429, 5xx), plus 401 and 403, which another deployment with other credentials may not give.
     */
    public boolean isTransient() {
        return switch (this) {
            case BAD_REQUEST, CONTEXT_WINDOW_EXCEEDED, CONTENT_POLICY_VIOLATION, NOT_FOUND -> false;
            default -> true;
        };
    }
}
