package dev.llmproxy.proxy.auth;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a virtual key may do, as the request path asks it: which models, within which budget and limits. Implemented
 * over the key cache; the request path holds one per authenticated request through its {@link Principal}.
 *
 * <p>Thread-safety: implementations are thread-safe and never block; {@link #admit} and {@link #release} do not
 * allocate when the call is admitted.
 */
public interface KeyGrant {

    /** The key's hash (lowercase hex SHA-256), as stored and as spend is attributed. */
    String tokenHash();

    /** {@code sk-...abcd}: safe to log and to show. */
    String displayName();

    /** The key's alias, or null. */
    @Nullable String keyAlias();

    /** The key's user, or null. */
    @Nullable String userId();

    /** The key's team, or null. */
    @Nullable String teamId();

    /** The tags every call with this key carries. */
    List<String> tags();

    /** Whether the key's owner is a proxy admin (management routes are open to it). */
    boolean isAdmin();

    /** Whether the key (and its team) may call {@code model} (a model group or alias name). */
    boolean allowsModel(String model);

    /** Why the key may not call {@code model} (its own list, then its team's, or a blocked team), or null. */
    @Nullable KeyRefusal checkModel(String model);

    /** The key's spend in USD as this instance knows it now (the database's value plus calls since). */
    double spend();

    /** The key's own budget as this instance knows it now; the default has only the spend. */
    default BudgetState budget() {
        return new BudgetState(spend(), null, null);
    }

    /** The budget of the key's team as this instance knows it now, or null when the key has no (known) team. */
    default @Nullable BudgetState teamBudget() {
        return null;
    }

    /** The budget of the key's user as this instance knows it now, or null when the key has no (known) user. */
    default @Nullable BudgetState userBudget() {
        return null;
    }

    /**
     * Tells {@code quotas} what is left this minute of each of the key's own per-model limits
     * ({@code model_rpm_limit}, {@code model_tpm_limit}), once per model that has one; takes nothing. The default has
     * none.
     *
     * @param nowMillis wall-clock time, epoch milliseconds
     */
    default void modelQuotas(long nowMillis, ModelQuotas quotas) {
    }

    /**
     * Admits a call to {@code model}: checks {@link #checkModel}, the budgets of the key, its team, the user's
     * membership of the team and (for a key without a team) its user, then the rpm, tpm and parallel limits of the
     * key, the key for this model, the team, the team for this model and the user; when all pass takes one request
     * of each limit, to be given back with {@link #release}. A call with no model (a pass-through route that is not a
     * deployment's) passes only the key's and its owners' budgets and limits: the model lists and the per-model
     * limits have nothing to apply to, and a blocked team still refuses.
     *
     * @param model the model group called, or null for a call tied to no model
     * @param nowMillis wall-clock time, epoch milliseconds
     * @return null when admitted, else why not (nothing was taken)
     */
    @Nullable KeyRefusal admit(@Nullable String model, long nowMillis);

    /**
     * Gives back an admitted call: frees its parallel slots, charges {@code tokens} to the tokens-per-minute windows
     * and adds {@code costUsd} to the spend of the key, its team, the user's membership of the team and the user.
     * Called exactly once per admitted call, with the {@code model} it was admitted for (null when it had none).
     */
    void release(@Nullable String model, long nowMillis, long tokens, double costUsd);

    /** Receives the quotas of {@link #modelQuotas}. */
    @FunctionalInterface
    interface ModelQuotas {
        /** {@link #NONE} for a value the model's limits leave out. */
        long NONE = -1;

        /**
         * @param model the model name the limit is set for, as the key's {@code model_rpm_limit} names it
         * @param remainingRequests requests left this minute, or {@link #NONE} without a requests-per-minute limit
         * @param remainingTokens tokens left this minute, or {@link #NONE} without a tokens-per-minute limit
         */
        void quota(String model, long remainingRequests, long remainingTokens);
    }
}
