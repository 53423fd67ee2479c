package dev.llmproxy.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * End users ({@code LiteLLM_EndUserTable}) and their budgets ({@code LiteLLM_BudgetTable}). Thread-safe; every method
 * blocks on the database and throws {@link StoreException} when it fails. Writes stamp {@code updated_at} with the
 * store's clock and never write spend (except {@link #create}'s initial spend).
 */
public interface EndUserStore {

    /**
     * Stores a new end user, and {@code budget} first when given (the end user then links to it).
     *
     * @return the stored end user with its budget
     * @throws StoreConflictException if an end user with the same id exists
     * @throws StoreException if the end user links to a budget that does not exist
     */
    EndUser create(EndUser endUser, @Nullable Budget budget);

    /** The end user with this id, with its budget. */
    Optional<EndUser> find(String userId);

    /**
     * Replaces the end user's alias, region, default model, budget link, blocked flag and metadata; stores
     * {@code budget} first when given (inserted, or updated if a budget with its id exists).
     *
     * @return the stored end user, or empty if there is none with this id
     */
    Optional<EndUser> update(EndUser endUser, @Nullable Budget budget);

    /**
     * Deletes end users; the budgets they linked to stay.
     *
     * @return the ids that existed and are now deleted
     */
    List<String> delete(Collection<String> userIds);

    /** Blocks these end users, creating the ones that do not exist yet (as LiteLLM does); returns them, by id. */
    List<EndUser> block(Collection<String> userIds);

    /** Unblocks the ones of these end users that exist; returns them, by id. */
    List<EndUser> unblock(Collection<String> userIds);

    /** One page of end users, by id. The query's filter is unused. */
    Page<EndUser> list(ListQuery query);

    /** Every end user that is blocked or linked to a budget, by id: what the request path must know. */
    List<EndUser> restricted();

    /** The end users changed ({@code updated_at}) at or after {@code since}, oldest change first. */
    List<EndUser> changedSince(Instant since);

    /** The budget with this id. */
    Optional<Budget> findBudget(String budgetId);
}
