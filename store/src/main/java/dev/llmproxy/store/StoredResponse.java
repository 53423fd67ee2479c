package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A Responses API answer the proxy rebuilt from a chat completion, kept so that a later request can continue it.
 *
 * @param responseId the id the client got ({@code resp_...})
 * @param modelGroup the model the client called
 * @param inputItems the input the model saw, earlier turns first, as a JSON array
 * @param response the response object the client got, as JSON
 * @param createdAt when it was stored; the store's clock sets it on {@link ResponseStore#save}
 */
public record StoredResponse(String responseId, String modelGroup, String inputItems, String response,
        Instant createdAt) {

    public StoredResponse {
        requireNonNull(responseId, "responseId");
        requireNonNull(modelGroup, "modelGroup");
        requireNonNull(inputItems, "inputItems");
        requireNonNull(response, "response");
        requireNonNull(createdAt, "createdAt");
    }
}
