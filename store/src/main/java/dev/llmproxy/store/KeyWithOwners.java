package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * A key with the rows that decide what it may do: its team, its user, and the user's membership of that team. What
 * authentication needs on a key-cache miss (LiteLLM's "combined view"), read in one transaction.
 *
 * @param key the key
 * @param team the key's team, or null when it has none or the team row is missing
 * @param user the key's user, or null when it has none or the user row is missing
 * @param membership the user's membership of the key's team, or null
 */
public record KeyWithOwners(
        VirtualKey key, @Nullable Team team, @Nullable User user, @Nullable TeamMembership membership) {

    /** Validates the view. */
    public KeyWithOwners {
        requireNonNull(key, "key");
    }
}
