package dev.llmproxy.proxy.auth;

import static java.util.Objects.requireNonNull;

/**
 * Why a virtual key may not make a call, with the message the client gets (LiteLLM's wording; never the key).
 *
 * @param reason the kind of refusal, which decides the status and error type
 * @param message the client-facing message
 * @param retryAfterMillis for {@link Reason#RATE_LIMITED}: when a call could be admitted again; else 0
 */
public record KeyRefusal(Reason reason, String message, long retryAfterMillis) {

    /** The kinds of refusal. */
    public enum Reason {
        /** The model is not on the key's list: 401 {@code key_model_access_denied}. */
        MODEL_NOT_ALLOWED,
        /** The model is not on the key's team's list: 401 {@code team_model_access_denied}. */
        TEAM_MODEL_NOT_ALLOWED,
        /** The key's team is blocked: 401 {@code auth_error}. */
        TEAM_BLOCKED,
        /** The key's (or its team's) spend reached its {@code max_budget}: 429 {@code budget_exceeded}. */
        BUDGET_EXCEEDED,
        /** The key's rpm, tpm or parallel limit: 429 {@code rate_limit_error} with {@code retry-after}. */
        RATE_LIMITED,
        /** The request's end user is blocked ({@code /customer/block}): 400, as LiteLLM answers it. */
        END_USER_BLOCKED
    }

    /** Validates the refusal. */
    public KeyRefusal {
        requireNonNull(reason, "reason");
        requireNonNull(message, "message");
    }
}
