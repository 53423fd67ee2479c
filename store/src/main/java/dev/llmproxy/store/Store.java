package dev.llmproxy.store;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Consumer;

/**
 * The store: keys, users, teams, the spend writer, and bridged responses. Opened by {@link Stores#open(StoreConfig)}, which migrates
 * the schema first. Thread-safe. Every method may block on the database; callers on an event loop hand off to an
 * executor of their own.
 */
public interface Store extends AutoCloseable {

    /** Virtual keys. */
    KeyStore keys();

    /** Users. */
    UserStore users();

    /** Teams and memberships. */
    TeamStore teams();

    /** End users (customers) and their budgets. */
    EndUserStore endUsers();
    /** Responses bridged to chat completions, kept for {@code previous_response_id}. */
    ResponseStore responses();

    /** Reads of the spend logs. */
    SpendReports spendReports();

    /**
     * Copies keys, users, teams, memberships, end users and their budgets from a LiteLLM database into this store; running it
     * again gives the same result. Nothing in the LiteLLM database is changed.
     *
     * @param source LiteLLM's PostgreSQL database
     * @throws StoreException if either database cannot be read or written (nothing of the failed table is kept)
     */
    LiteLlmImportReport importLiteLlm(DatabaseUrl source);

    /**
     * Starts a spend writer on this store. It first replays whatever its journal directory holds from an earlier
     * run. At most one writer may use a journal directory at a time. The caller closes the writer before the store.
     *
     * @throws StoreException if the journal directory cannot be opened or is in use
     */
    SpendWriter openSpendWriter(SpendWriterConfig config);

    /**
     * Resets the budgets that are due: every key (not expired), user, team and team member whose
     * {@code budget_reset_at} is before {@code now}, and every end user linked to a budget row whose {@code budget_reset_at} is, gets spend 0
     * and its next reset (on the budget row for end users) from its {@code budget_duration}
     * ({@link BudgetDuration#nextReset}; an unreadable duration resets at the next midnight, none clears the reset
     * time). Safe to run on several instances at once: a row already reset by another is skipped.
     *
     * @param zone {@code litellm_settings.timezone}, UTC by default
     */
    BudgetResetCounts resetDueBudgets(Instant now, ZoneId zone);

    /**
     * Delivers the keys, users, teams and end users written or deleted by any instance sharing this database
     * (PostgreSQL {@code LISTEN/NOTIFY}), including this one, on a thread of the store's, until the handle is closed.
     * Best effort: a notification sent while the listening connection is down is lost, so callers also re-read
     * changed rows ({@link KeyStore#changedSince} and the others) and deletions ({@link #deletedSince}) periodically.
     * On the embedded database, which serves one instance, nothing is delivered.
     */
    AutoCloseable watchChanges(Consumer<StoreChange> listener);

    /**
     * The keys, users, teams and end users deleted at or after {@code since} (a key also when {@code /key/regenerate}
     * replaced its hash), oldest first. Deletions are kept for an hour.
     */
    List<StoreChange> deletedSince(Instant since);

    /** Whether the database answers a trivial query now (for {@code /health/readiness}). Never throws. */
    boolean isReachable();

    /** Closes the connection pool. Spend writers must be closed first. */
    @Override
    void close();
}
