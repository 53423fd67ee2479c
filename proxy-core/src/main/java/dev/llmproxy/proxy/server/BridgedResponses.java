package dev.llmproxy.proxy.server;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where the Responses API answers the proxy bridged to chat completions are kept, so that {@code previous_response_id}
 * works on providers that keep no conversation state and {@code GET}/{@code DELETE /v1/responses/{id}} answer for
 * them. Implemented over the store ({@code llmproxy_responses}); absent without one.
 *
 * <p>Thread-safety: implementations are thread-safe and never block the caller: the work runs elsewhere and the
 * stages complete on a thread of the implementation's.
 */
public interface BridgedResponses {

    /**
     * Keeps a turn.
     *
     * @param inputItems the input the model saw, earlier turns first (a JSON array)
     * @param response the response object the client got (JSON)
     */
    CompletionStage<Void> save(String responseId, String modelGroup, String inputItems, String response);

    /** The turn with this id, if kept. */
    CompletionStage<Optional<Turn>> find(String responseId);

    /** Forgets the turn with this id; whether there was one. */
    CompletionStage<Boolean> delete(String responseId);

    /**
     * A kept turn.
     *
     * @param modelGroup the model the client called
     * @param inputItems the input the model saw (a JSON array)
     * @param response the response object (JSON)
     */
    record Turn(String modelGroup, String inputItems, String response) {}
}
