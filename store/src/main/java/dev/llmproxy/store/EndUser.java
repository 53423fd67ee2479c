package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An end user (LiteLLM's customer): whoever a model request names in its {@code user} field. Row of
 * {@code LiteLLM_EndUserTable}, with the budget it links to. Immutable.
 *
 * @param userId the end user's id (the request's {@code user})
 * @param alias a display name, or null
 * @param spend USD spent since the last reset
 * @param allowedModelRegion {@code eu} or {@code us} (stored, not enforced), or null
 * @param defaultModel LiteLLM's fallback model for the region (stored, not used), or null
 * @param budgetId the linked {@link Budget}, or null
 * @param blocked whether the end user's calls are refused
 * @param metadata a JSON object the store does not interpret
 * @param updatedAt when the row was last changed (not by spend)
 * @param budget the linked budget as read with the row, or null (ignored when writing)
 */
public record EndUser(
        String userId,
        @Nullable String alias,
        double spend,
        @Nullable String allowedModelRegion,
        @Nullable String defaultModel,
        @Nullable String budgetId,
        boolean blocked,
        String metadata,
        Instant updatedAt,
        @Nullable Budget budget) {

    /** Validates the row. */
    public EndUser {
        requireNonNull(userId, "userId");
        requireNonNull(metadata, "metadata");
        requireNonNull(updatedAt, "updatedAt");
    }

    /** A new, unblocked end user with no budget. */
    public static EndUser of(String userId) {
        return new EndUser(userId, null, 0, null, null, null, false, "{}", Instant.EPOCH, null);
    }

    /** The budget's cap, or null when there is none. */
    public @Nullable Double maxBudget() {
        Budget b = budget;
        return b == null ? null : b.maxBudget();
    }

    /**
     * Whether the request path must check this end user: it is blocked or has a budget cap. Any other end user is
     * admitted without a look-up.
     */
    public boolean isRestricted() {
        return blocked || maxBudget() != null;
    }
}
