package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.Principal;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Where the Responses API answers the proxy bridged to chat completions are kept, so that {@code previous_response_id}
 * works on providers that keep no conversation state and {@code GET}/{@code DELETE /v1/responses/{id}} answer for
 * them. Implemented over the store ({@code llmproxy_responses}); absent without one. A kept turn belongs to the key
 * that made it ({@link Owner}) and is forgotten once its retention period is over.
 *
 * <p>Thread-safety: implementations are thread-safe and never block the caller: the work runs elsewhere and the
 * stages complete on a thread of the implementation's.
 */
public interface BridgedResponses {

    /**
     * Keeps a turn.
     *
     * @param owner who made it
     * @param inputItems the input the model saw, earlier turns first (a JSON array)
     * @param response the response object the client got (JSON)
     */
    CompletionStage<Void> save(String responseId, Owner owner, String modelGroup, String inputItems,
            String response);

    /** The turn with this id, if kept and not expired. */
    CompletionStage<Optional<Turn>> find(String responseId);

    /** Forgets the turn with this id; whether there was one. */
    CompletionStage<Boolean> delete(String responseId);

    /**
     * A kept turn.
     *
     * @param modelGroup the model the client called
     * @param owner who made it
     * @param inputItems the input the model saw (a JSON array)
     * @param response the response object (JSON)
     */
    record Turn(String modelGroup, Owner owner, String inputItems, String response) {}

    /**
     * Who made a kept turn, and so who may read, delete or continue it, by LiteLLM's rule for the response ids it
     * issues ({@code ResponsesIDSecurity}): the master key and admins, the key that made it, and another key of the
     * same user and team; a turn made without a virtual key only the first.
     *
     * @param keyHash the virtual key's SHA-256 hex, or null for none
     * @param userId the key's user, or null
     * @param teamId the key's team, or null
     */
    record Owner(@Nullable String keyHash, @Nullable String userId, @Nullable String teamId) {
        /** A turn made without a virtual key. */
        public static final Owner NONE = new Owner(null, null, null);

        /** The owner of what {@code principal} makes. */
        public static Owner of(Principal principal) {
            KeyGrant key = principal.key();
            return key == null ? NONE : new Owner(key.tokenHash(), key.userId(), key.teamId());
        }

        /** Why {@code principal} may not use the turn (a 403's message), or null when it may. */
        public @Nullable String refusal(Principal principal) {
            KeyGrant key = principal.key();
            if (principal.isAdmin() || key != null && key.tokenHash().equals(keyHash)) {
                return null;
            }
            if (key == null || userId == null && teamId == null) {
                return "Forbidden: this response was made without a virtual key; only the master key and admins "
                        + "may use it";
            }
            if (userId != null && !userId.equals(key.userId())) {
                return "Forbidden: this response belongs to another user's key";
            }
            if (teamId != null && !Objects.equals(teamId, key.teamId())) {
                return "Forbidden: this response belongs to another team's key";
            }
            return null;
        }
    }
}
