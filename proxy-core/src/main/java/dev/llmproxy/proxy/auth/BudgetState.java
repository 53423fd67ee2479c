package dev.llmproxy.proxy.auth;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A budget as it stands now, as the metrics report it ({@code litellm_remaining_*_budget_metric} and friends).
 *
 * @param spendUsd what was spent in the current budget period, in USD
 * @param maxBudgetUsd the budget in USD, or null when there is none
 * @param resetAt when the spend goes back to 0, or null when it never does
 */
public record BudgetState(double spendUsd, @Nullable Double maxBudgetUsd, @Nullable Instant resetAt) {}
