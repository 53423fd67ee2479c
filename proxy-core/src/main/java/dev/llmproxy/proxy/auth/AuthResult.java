package dev.llmproxy.proxy.auth;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of authentication: a principal, or the reason there is none.
 *
 * @param principal who the caller is, or null when refused
 * @param failure why the caller was refused, or null when accepted
 */
public record AuthResult(@Nullable Principal principal, @Nullable Failure failure) {

    /** Why a request was refused. Each maps to a 401 with LiteLLM's wording (the key itself is never echoed). */
    public enum Failure {
        MISSING_KEY,
        INVALID_KEY
    }

    static final AuthResult MISSING = new AuthResult(null, Failure.MISSING_KEY);
    static final AuthResult INVALID = new AuthResult(null, Failure.INVALID_KEY);

    /** Whether the request may proceed. */
    public boolean isAccepted() {
        return principal != null;
    }

    static AuthResult accepted(Principal principal) {
        return new AuthResult(principal, null);
    }
}
