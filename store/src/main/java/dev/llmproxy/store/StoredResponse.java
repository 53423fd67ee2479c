package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A Responses API answer the proxy rebuilt from a chat completion, kept so that a later request can continue it.
 *
 * @param responseId the id the client got ({@code resp_...})
 * @param modelGroup the model the client called
 * @param owner who made it
 * @param inputItems the input the model saw, earlier turns first, as a JSON array
 * @param response the response object the client got, as JSON
 * @param createdAt when it was stored; the store's clock sets it on {@link ResponseStore#save}
 * @param expiresAt from when it is no longer read, and may be deleted ({@link ResponseStore#deleteExpired})
 */
public record StoredResponse(String responseId, String modelGroup, Owner owner, String inputItems, String response,
        Instant createdAt, Instant expiresAt) {

    public StoredResponse {
        requireNonNull(responseId, "responseId");
        requireNonNull(modelGroup, "modelGroup");
        requireNonNull(owner, "owner");
        requireNonNull(inputItems, "inputItems");
        requireNonNull(response, "response");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(expiresAt, "expiresAt");
    }

    /**
     * Who made a response: the virtual key and its user and team, each null when there was none (the master key has
     * none of them).
     *
     * @param keyHash the key's SHA-256 hex
     */
    public record Owner(@Nullable String keyHash, @Nullable String userId, @Nullable String teamId) {
        /** No virtual key: the master key, or a row kept before responses had owners. */
        public static final Owner NONE = new Owner(null, null, null);
    }
}
