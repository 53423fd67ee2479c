package dev.llmproxy.store;

import org.jspecify.annotations.Nullable;

/**
 * Filter and page of a user or team listing, newest first.
 *
 * @param filter for users: only this role; for teams: only this organization; null for all
 * @param page the 1-based page
 * @param size rows per page
 */
public record ListQuery(@Nullable String filter, int page, int size) {

    /** Validates the page. */
    public ListQuery {
        if (page < 1) {
            throw new IllegalArgumentException("page: " + page + " (expected: >= 1)");
        }
        if (size < 1 || size > KeyQuery.MAX_SIZE) {
            throw new IllegalArgumentException("size: " + size + " (expected: 1.." + KeyQuery.MAX_SIZE + ")");
        }
    }
}
