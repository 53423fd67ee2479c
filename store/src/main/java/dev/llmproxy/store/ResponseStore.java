package dev.llmproxy.store;

import java.util.Optional;

/**
 * Responses the proxy bridged to chat completions ({@code llmproxy_responses}). Thread-safe; every method blocks on
 * the database and throws {@link StoreException} when it fails.
 */
public interface ResponseStore {

    /**
     * Stores a response, stamped with the store's clock; a response already stored under the same id is replaced
     * (ids are random tokens, so only a retried write meets its own row).
     */
    void save(StoredResponse response);

    /** The response with this id, unless it has expired by the store's clock. */
    Optional<StoredResponse> find(String responseId);

    /** Deletes the response with this id; whether there was one. */
    boolean delete(String responseId);

    /** Deletes every response expired by the store's clock; how many there were. */
    int deleteExpired();
}
