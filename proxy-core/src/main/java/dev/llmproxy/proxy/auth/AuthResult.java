package dev.llmproxy.proxy.auth;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of authentication: a principal, the reason there is none, or a lookup still under way.
 *
 * <p>Results known at once (the master key, a key-cache hit) are shared constants and cost no allocation; a pending
 * result carries the stage that completes, on any thread, with the final result.
 *
 * @param principal who the caller is, or null when refused or pending
 * @param failure why the caller was refused, or null when accepted or pending
 * @param pending completes with the final result when the answer needs a lookup (a key-cache miss goes to the store),
 *     else null
 */
public record AuthResult(
        @Nullable Principal principal, @Nullable Failure failure, @Nullable CompletionStage<AuthResult> pending) {

    /** Why a request was refused. Each maps to LiteLLM's status and wording (the key itself is never echoed). */
    public enum Failure {
        MISSING_KEY,
        INVALID_KEY,
        /** A virtual key that is not in the store (LiteLLM's {@code token_not_found_in_db}). */
        UNKNOWN_KEY,
        /** A virtual key past its {@code expires}. */
        EXPIRED_KEY,
        /** A virtual key that was blocked ({@code /key/block}). */
        BLOCKED_KEY,
        /** The client's address is not in {@code allowed_ips} (403). */
        IP_NOT_ALLOWED
    }

    /** No key was presented. */
    public static final AuthResult MISSING = new AuthResult(null, Failure.MISSING_KEY, null);

    /** The key presented is not valid. */
    public static final AuthResult INVALID = new AuthResult(null, Failure.INVALID_KEY, null);

    /** The virtual key presented is not in the store. */
    public static final AuthResult UNKNOWN = new AuthResult(null, Failure.UNKNOWN_KEY, null);

    /** The virtual key presented has expired. */
    public static final AuthResult EXPIRED = new AuthResult(null, Failure.EXPIRED_KEY, null);

    /** The virtual key presented is blocked. */
    public static final AuthResult BLOCKED = new AuthResult(null, Failure.BLOCKED_KEY, null);

    /** The client's address may not call, whatever its key. */
    public static final AuthResult IP_NOT_ALLOWED = new AuthResult(null, Failure.IP_NOT_ALLOWED, null);

    public AuthResult {
        int set = (principal != null ? 1 : 0) + (failure != null ? 1 : 0) + (pending != null ? 1 : 0);
        if (set != 1) {
            throw new IllegalArgumentException("exactly one of principal, failure and pending must be set");
        }
    }

    /** The caller is {@code principal}. */
    public static AuthResult accepted(Principal principal) {
        return new AuthResult(requireNonNull(principal, "principal"), null, null);
    }

    /** The answer comes later, from {@code lookup}; it must not complete with another pending result. */
    public static AuthResult pending(CompletionStage<AuthResult> lookup) {
        return new AuthResult(null, null, requireNonNull(lookup, "lookup"));
    }

    /** Whether the request may proceed. */
    public boolean isAccepted() {
        return principal != null;
    }

    /** Whether the answer is still being looked up (see {@link #pending()}). */
    public boolean isPending() {
        return pending != null;
    }
}
