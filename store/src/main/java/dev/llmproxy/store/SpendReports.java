package dev.llmproxy.store;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads of the spend logs ({@code LiteLLM_SpendLogs}) for the {@code /spend/...} and {@code /global/spend/...}
 * routes. Every method may block on the database. Thread-safe.
 */
public interface SpendReports {

    /**
     * Spend-log rows matching {@code query}, newest first, at most {@link SpendLogQuery#limit()} of them.
     *
     * @throws StoreException if the database cannot be read
     */
    List<SpendRecord> logs(SpendLogQuery query);

    /**
     * Spend and tokens summed per UTC day, key, user, team, end user and model, over {@code [from, to)}, optionally
     * for one key hash and one user (null: all).
     *
     * @throws StoreException if the database cannot be read
     */
    List<SpendSummaryRow> summary(Instant from, Instant to, @Nullable String apiKey,
            @Nullable String userId);

    /**
     * Requests and spend per request tag over {@code [from, to)} (both null: every row), highest spend first. A
     * request with several tags counts in full for each, as in LiteLLM's {@code /spend/tags}.
     *
     * @throws StoreException if the database cannot be read
     */
    List<TagSpend> byTag(@Nullable Instant from,
            @Nullable Instant to);
}
