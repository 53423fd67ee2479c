package dev.llmproxy.cli;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.server.BridgedResponses;
import dev.llmproxy.store.BudgetDuration;
import dev.llmproxy.store.ResponseStore;
import dev.llmproxy.store.StoreException;
import dev.llmproxy.store.StoredResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BridgedResponses} on the store's {@link ResponseStore}, each call run on the store executor (shared with
 * the key lookups), so that an event loop never waits on the database. A full executor fails the stage at once. A
 * turn is kept for the retention period ({@code general_settings.stored_responses_retention_period}) from when it is
 * saved; {@link #sweep} deletes the expired ones.
 *
 * <p>Thread-safety: thread-safe.
 */
final class StoreResponses implements BridgedResponses {
    /** How long a kept turn lives by default: 30 days, as OpenAI keeps stored responses. */
    static final BudgetDuration DEFAULT_RETENTION = new BudgetDuration(30, BudgetDuration.Unit.DAYS);
    private static final Logger log = LoggerFactory.getLogger(StoreResponses.class);

    private final ResponseStore store;
    private final Executor executor;
    private final BudgetDuration retention;
    private final Clock clock;

    StoreResponses(ResponseStore store, Executor executor, BudgetDuration retention, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.executor = requireNonNull(executor, "executor");
        this.retention = requireNonNull(retention, "retention");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public CompletionStage<Void> save(String responseId, Owner owner, String modelGroup, String inputItems,
            String response) {
        Instant expiresAt = retention.after(clock.instant(), ZoneOffset.UTC);
        StoredResponse row = new StoredResponse(responseId, modelGroup,
                new StoredResponse.Owner(owner.keyHash(), owner.userId(), owner.teamId()), inputItems, response,
                Instant.EPOCH, expiresAt);
        try {
            return CompletableFuture.runAsync(() -> store.save(row), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Optional<Turn>> find(String responseId) {
        return run(() -> store.find(responseId).map(row -> new Turn(row.modelGroup(),
                new Owner(row.owner().keyHash(), row.owner().userId(), row.owner().teamId()), row.inputItems(),
                row.response())));
    }

    @Override
    public CompletionStage<Boolean> delete(String responseId) {
        return run(() -> store.delete(responseId));
    }

    /** Deletes the expired turns; blocks on the database (run it on a thread of its own, never an event loop). */
    void sweep() {
        try {
            int deleted = store.deleteExpired();
            if (deleted > 0) {
                log.info("Deleted {} kept response(s) past their retention period", deleted);
            }
        } catch (StoreException e) {
            log.warn("Could not delete expired kept responses (tried again at the next sweep): {}", e.toString());
        }
    }

    private <T> CompletionStage<T> run(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
