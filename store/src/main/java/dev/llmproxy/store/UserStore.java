package dev.llmproxy.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Users ({@code LiteLLM_UserTable}). Thread-safe; every method blocks on the database and throws
 * {@link StoreException} when it fails. As with keys, {@link #update} never writes spend.
 */
public interface UserStore {

    /**
     * Stores a new user, stamped with the store's clock as created and updated now.
     *
     * @return the stored user
     * @throws StoreConflictException if a user with the same id exists
     */
    User create(User user);

    /** The user with this id. */
    Optional<User> find(String userId);

    /** The user with this e-mail address, compared without case, as LiteLLM compares it. */
    Optional<User> findByEmail(String email);

    /**
     * Replaces every column of the user with this id except its spend and {@code created_at};
     * {@code updated_at} is the store's clock.
     *
     * @return the stored user, or empty if there is none with this id
     */
    Optional<User> update(User user);

    /**
     * Deletes users and their team memberships; their keys stay (deleting them is the caller's decision).
     *
     * @return the ids of the users that existed and are now deleted
     */
    List<String> delete(Collection<String> userIds);

    /** One page of users, newest first; the query's filter is a role. */
    Page<User> list(ListQuery query);

    /** The users changed ({@code updated_at}) at or after {@code since}, oldest change first. */
    List<User> changedSince(Instant since);
}
