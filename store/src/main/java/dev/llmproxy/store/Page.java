package dev.llmproxy.store;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param items the rows of this page, in the listing's order
 * @param totalCount how many rows match the listing's filters across all pages
 * @param page the 1-based page number
 * @param size the page size asked for
 * @param <T> the row type
 */
public record Page<T>(List<T> items, long totalCount, int page, int size) {

    /** Copies the items. */
    public Page {
        items = List.copyOf(items);
    }

    /** How many pages the matching rows fill ({@code ceil(totalCount / size)}), as LiteLLM reports it. */
    public long totalPages() {
        return (totalCount + size - 1) / size;
    }
}
