package dev.llmproxy.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Virtual keys ({@code LiteLLM_VerificationToken}), found by their hash. Thread-safe; every method blocks on the
 * database and throws {@link StoreException} when it fails.
 *
 * <p>Spend is never written by {@link #update}: it only grows through the {@link SpendWriter} and is set only by
 * {@link #resetSpend}, so a management change cannot erase spend recorded meanwhile.
 */
public interface KeyStore {

    /**
     * Stores a new key, stamped with the store's clock as created and updated now.
     *
     * @return the stored key
     * @throws StoreConflictException if a key with the same hash or alias exists
     */
    VirtualKey create(VirtualKey key);

    /** The key with this hash. */
    Optional<VirtualKey> find(String token);

    /** The key with this hash, its team, user and membership, read in one transaction (authentication's miss path). */
    Optional<KeyWithOwners> findWithOwners(String token);

    /** The key with this alias. */
    Optional<VirtualKey> findByAlias(String keyAlias);

    /**
     * Replaces every column of the key with this hash except its spend, {@code created_at} and
     * {@code created_by}; {@code updated_at} is the store's clock.
     *
     * @return the stored key, or empty if there is no key with this hash
     * @throws StoreConflictException if another key has the new alias
     */
    Optional<VirtualKey> update(VirtualKey key);

    /**
     * Blocks or unblocks a key.
     *
     * @return the stored key, or empty if there is none with this hash
     */
    Optional<VirtualKey> setBlocked(String token, boolean blocked);

    /**
     * Gives a key a new hash and display name in place, keeping everything else (spend, budgets, owners): what
     * {@code /key/regenerate} does. The old hash stops working at once.
     *
     * @return the stored key under its new hash, or empty if there is no key with {@code token}
     * @throws StoreConflictException if a key with {@code newToken} exists
     */
    Optional<VirtualKey> rehash(String token, String newToken, String newKeyName);

    /**
     * Sets a key's spend (a budget reset or {@code /key/reset_spend}) and its next reset time.
     *
     * @return the stored key, or empty if there is none with this hash
     */
    Optional<VirtualKey> resetSpend(String token, double spend, @Nullable Instant budgetResetAt);

    /**
     * Deletes keys by hash.
     *
     * @return the hashes of the keys that existed and are now deleted
     */
    List<String> delete(Collection<String> tokens);

    /**
     * Deletes keys by alias.
     *
     * @return the hashes of the keys that existed and are now deleted
     */
    List<String> deleteByAlias(Collection<String> keyAliases);

    /** One page of keys matching the query. */
    Page<VirtualKey> list(KeyQuery query);

    /**
     * Keys created or changed at or after {@code since}, in order of {@code updated_at} then token, starting after the
     * key ({@code since}, {@code afterToken}): a keyset page, for the key cache's refresh and its first load.
     *
     * @param afterToken the last token of the previous page with {@code updated_at == since}, or "" for none
     */
    List<VirtualKey> changedSince(Instant since, String afterToken, int limit);
}
