package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * Filters, order and page of a key listing ({@code /key/list}). Null filters match everything; keys of the UI's
 * session team ({@value #UI_SESSION_TEAM_ID}) are never listed.
 *
 * @param userId only keys of this user
 * @param teamId only keys of this team
 * @param keyAlias only the key with this alias
 * @param token only the key with this hash
 * @param sort the order
 * @param descending whether the order is descending; ties are broken by token in the same direction
 * @param page the 1-based page
 * @param size rows per page
 */
public record KeyQuery(
        @Nullable String userId,
        @Nullable String teamId,
        @Nullable String keyAlias,
        @Nullable String token,
        Sort sort,
        boolean descending,
        int page,
        int size) {

    /** The team id LiteLLM gives UI session keys; they are hidden from listings. */
    public static final String UI_SESSION_TEAM_ID = "litellm-dashboard";

    /** The most rows a page may hold. */
    public static final int MAX_SIZE = 1000;

    /** Validates the page. */
    public KeyQuery {
        requireNonNull(sort, "sort");
        if (page < 1) {
            throw new IllegalArgumentException("page: " + page + " (expected: >= 1)");
        }
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size: " + size + " (expected: 1.." + MAX_SIZE + ")");
        }
    }

    /** All keys, newest first, LiteLLM's default page of 10. */
    public static KeyQuery all() {
        return new KeyQuery(null, null, null, null, Sort.CREATED_AT, true, 1, 10);
    }

    /** This query for another page. */
    public KeyQuery withPage(int newPage, int newSize) {
        return new KeyQuery(userId, teamId, keyAlias, token, sort, descending, newPage, newSize);
    }

    /** This query for one user's keys. */
    public KeyQuery withUserId(@Nullable String value) {
        return new KeyQuery(value, teamId, keyAlias, token, sort, descending, page, size);
    }

    /** This query for one team's keys. */
    public KeyQuery withTeamId(@Nullable String value) {
        return new KeyQuery(userId, value, keyAlias, token, sort, descending, page, size);
    }

    /** This query in another order. */
    public KeyQuery withSort(Sort value, boolean isDescending) {
        return new KeyQuery(userId, teamId, keyAlias, token, value, isDescending, page, size);
    }

    /** The orders {@code /key/list} accepts as {@code sort_by}. */
    public enum Sort {
        SPEND("spend"),
        MAX_BUDGET("max_budget"),
        CREATED_AT("created_at"),
        UPDATED_AT("updated_at"),
        TOKEN("token"),
        KEY_ALIAS("key_alias");

        private final String column;

        Sort(String column) {
            this.column = column;
        }

        /** The column name, which is also LiteLLM's {@code sort_by} value. */
        public String column() {
            return column;
        }
    }
}
