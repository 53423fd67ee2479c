package dev.llmproxy.proxy.auth;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * Who a request comes from.
 *
 * @param name a label safe to log ("master_key", "anonymous", a key's {@code sk-...abcd}); never the key itself
 * @param isAdmin whether the caller may use management endpoints
 * @param key the virtual key's grant (what it may do), or null for the master key and an open proxy
 * @param admitted whether this request holds an admission of {@link #key} (taken by {@link KeyGrant#admit}) that
 *     must be given back exactly once with {@link KeyGrant#release} when the call ends
 * @param endUser the end user the request names ({@code user}, or the {@code x-litellm-end-user-id} header) once its
 *     model call is admitted, or null; the call's spend accrues to it
 */
public record Principal(String name, boolean isAdmin, @Nullable KeyGrant key, boolean admitted,
        @Nullable String endUser) {

    /** The caller when no master key is configured: everything is open, as in LiteLLM without a master key. */
    public static final Principal ANONYMOUS = new Principal("anonymous", true);

    /** The holder of the master key. */
    public static final Principal MASTER = new Principal("master_key", true);

    /** Checks that only a key's principal is admitted. */
    public Principal {
        requireNonNull(name, "name");
        if (admitted && key == null) {
            throw new IllegalArgumentException("admitted without a key");
        }
    }

    /** A caller without a virtual key. */
    public Principal(String name, boolean isAdmin) {
        this(name, isAdmin, null, false, null);
    }

    /** The holder of virtual key {@code key}, not yet admitted to a call. */
    public static Principal of(KeyGrant key) {
        return new Principal(key.displayName(), key.isAdmin(), key, false, null);
    }

    /** This principal holding an admission of its key (one allocation per admitted call). */
    public Principal admittedCall() {
        if (key == null) {
            throw new IllegalStateException("only a virtual key is admitted");
        }
        return new Principal(name, isAdmin, key, true, endUser);
    }

    /** This principal calling for end user {@code id} (one allocation per call that names an end user). */
    public Principal forEndUser(String id) {
        return new Principal(name, isAdmin, key, admitted, requireNonNull(id, "id"));
    }
}
