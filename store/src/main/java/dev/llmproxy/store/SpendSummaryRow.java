package dev.llmproxy.store;

import java.time.LocalDate;
import org.jspecify.annotations.Nullable;

/**
 * Spend-log rows summed for one UTC day, key, user, team, end user and model.
 *
 * @param day the UTC date of the rows' start times
 * @param apiKey the key's hash, empty for calls without a virtual key
 * @param userId the key owner's user id
 * @param teamId the key's team
 * @param endUser the end user
 * @param model the upstream model
 * @param spend the cost in USD
 * @param promptTokens input tokens
 * @param completionTokens output tokens
 * @param totalTokens all tokens
 * @param requests how many rows
 */
public record SpendSummaryRow(
        LocalDate day,
        String apiKey,
        @Nullable String userId,
        @Nullable String teamId,
        @Nullable String endUser,
        String model,
        double spend,
        long promptTokens,
        long completionTokens,
        long totalTokens,
        long requests) {}
