package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A budget that end users link to (a tier shared by many of them). Row of {@code LiteLLM_BudgetTable}. Immutable.
 *
 * @param budgetId the budget's id
 * @param maxBudget the USD cap on each linked end user's spend, or null
 * @param softBudget the USD level that LiteLLM alerts on (kept, not acted on), or null
 * @param maxParallelRequests concurrent requests (kept for LiteLLM, not enforced for end users), or null
 * @param tpmLimit tokens per minute (kept, not enforced for end users), or null
 * @param rpmLimit requests per minute (kept, not enforced for end users), or null
 * @param budgetDuration how often the linked end users' spend resets, or null
 * @param budgetResetAt when it resets next, or null
 * @param createdAt when the budget was created
 * @param createdBy who created it
 * @param updatedAt when it was last changed
 * @param updatedBy who changed it last
 */
public record Budget(
        String budgetId,
        @Nullable Double maxBudget,
        @Nullable Double softBudget,
        @Nullable Integer maxParallelRequests,
        @Nullable Long tpmLimit,
        @Nullable Long rpmLimit,
        @Nullable String budgetDuration,
        @Nullable Instant budgetResetAt,
        Instant createdAt,
        String createdBy,
        Instant updatedAt,
        String updatedBy) {

    /** Validates the row. */
    public Budget {
        requireNonNull(budgetId, "budgetId");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(createdBy, "createdBy");
        requireNonNull(updatedAt, "updatedAt");
        requireNonNull(updatedBy, "updatedBy");
    }
}
