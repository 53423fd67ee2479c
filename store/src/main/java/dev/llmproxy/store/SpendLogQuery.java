package dev.llmproxy.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Which spend-log rows to read: every non-null filter applies.
 *
 * @param apiKey the key's hash
 * @param requestId the request id
 * @param userId the key owner's user id ({@code "user"} column)
 * @param from rows that started at or after this instant
 * @param to rows that started before this instant
 * @param limit the most rows returned (newest first)
 */
public record SpendLogQuery(
        @Nullable String apiKey,
        @Nullable String requestId,
        @Nullable String userId,
        @Nullable Instant from,
        @Nullable Instant to,
        int limit) {

    /** Validates the limit. */
    public SpendLogQuery {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
        }
    }
}
