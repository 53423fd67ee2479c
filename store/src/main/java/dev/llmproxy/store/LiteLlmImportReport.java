package dev.llmproxy.store;

import java.util.List;

/**
 * What {@link Store#importLiteLlm} copied and what it could not.
 *
 * @param keys virtual keys copied (created or brought up to date)
 * @param users users copied
 * @param teams teams copied
 * @param memberships team memberships copied
 * @param endUsers end users (customers) copied
 * @param budgets {@code LiteLLM_BudgetTable} rows whose values were copied: into the keys and memberships linked to
 *     them, or as rows for the end users linked to them
 * @param skipped rows not copied, each with the reason
 * @param notCopied settings that were copied without some of their values, each saying which and why
 */
public record LiteLlmImportReport(
        int keys,
        int users,
        int teams,
        int memberships,
        int endUsers,
        int budgets,
        List<String> skipped,
        List<String> notCopied) {

    /** Copies the lists. */
    public LiteLlmImportReport {
        skipped = List.copyOf(skipped);
        notCopied = List.copyOf(notCopied);
    }
}
