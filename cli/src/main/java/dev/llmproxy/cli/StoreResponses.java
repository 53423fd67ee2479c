package dev.llmproxy.cli;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.server.BridgedResponses;
import dev.llmproxy.store.ResponseStore;
import dev.llmproxy.store.StoredResponse;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * {@link BridgedResponses} on the store's {@link ResponseStore}, each call run on the store executor (shared with
 * the key lookups), so that an event loop never waits on the database. A full executor fails the stage at once.
 *
 * <p>Thread-safety: thread-safe.
 */
final class StoreResponses implements BridgedResponses {
    private final ResponseStore store;
    private final Executor executor;

    StoreResponses(ResponseStore store, Executor executor) {
        this.store = requireNonNull(store, "store");
        this.executor = requireNonNull(executor, "executor");
    }

    @Override
    public CompletionStage<Void> save(String responseId, String modelGroup, String inputItems, String response) {
        try {
            return CompletableFuture.runAsync(() -> store.save(
                    new StoredResponse(responseId, modelGroup, inputItems, response, Instant.EPOCH)), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Optional<Turn>> find(String responseId) {
        return run(() -> store.find(responseId)
                .map(row -> new Turn(row.modelGroup(), row.inputItems(), row.response())));
    }

    @Override
    public CompletionStage<Boolean> delete(String responseId) {
        return run(() -> store.delete(responseId));
    }

    private <T> CompletionStage<T> run(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
