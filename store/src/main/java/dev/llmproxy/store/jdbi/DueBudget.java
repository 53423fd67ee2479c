package dev.llmproxy.store.jdbi;

import org.jspecify.annotations.Nullable;

/**
 * A row whose budget is due for a reset.
 *
 * @param id the key hash, user id or team id
 * @param budgetDuration the row's {@code budget_duration}
 */
record DueBudget(String id, @Nullable String budgetDuration) {}
