package dev.llmproxy.store;

/**
 * How many budgets one {@link Store#resetDueBudgets} run reset.
 *
 * @param keys keys whose spend went back to 0
 * @param users users whose spend went back to 0
 * @param teams teams whose spend went back to 0
 * @param endUsers end users whose spend went back to 0 (their budget rows were due)
 * @param members team members whose spend in their team went back to 0
 */
public record BudgetResetCounts(int keys, int users, int teams, int endUsers, int members) {}
