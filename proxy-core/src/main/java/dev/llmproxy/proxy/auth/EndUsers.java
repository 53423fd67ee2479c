package dev.llmproxy.proxy.auth;

import org.jspecify.annotations.Nullable;

/**
 * End users (LiteLLM's customers): whoever a model request names in its {@code user} field or its
 * {@code x-litellm-end-user-id} header. The request path asks whether the end user may call before the call starts,
 * and the spend path charges the call's cost to the end user when it ends, so that the next check sees it before the
 * database does.
 *
 * <p>Thread-safety: implementations are thread-safe and never block; {@link #check} does not allocate for an end user
 * that may call.
 */
public interface EndUsers {

    /** No end-user checks (no store): every end user may call. */
    EndUsers NONE = new EndUsers() {
        @Override
        public @Nullable KeyRefusal check(String endUserId) {
            return null;
        }

        @Override
        public void charge(String endUserId, double costUsd) {
        }
    };

    /**
     * Why a call for {@code endUserId} is refused ({@link KeyRefusal.Reason#END_USER_BLOCKED} or
     * {@link KeyRefusal.Reason#BUDGET_EXCEEDED}), or null when it may go ahead. Unknown end users may.
     */
    @Nullable KeyRefusal check(String endUserId);

    /** Adds a finished call's cost to the end user's spend as this instance counts it. */
    void charge(String endUserId, double costUsd);
}
