package dev.llmproxy.proxy.call;

import dev.llmproxy.proxy.provider.RebuiltResponse;

/**
 * The client connection a {@link ModelCall} answers on: told once when the call's response is complete or abandoned,
 * so that it can take the next request. Called on the connection's event loop.
 */
@FunctionalInterface
public interface CallOwner {

    /**
     * The call ended.
     *
     * @param keepAlive whether the connection stays open for the next request
     */
    void onCallEnded(boolean keepAlive);

    /**
     * A Responses API answer the proxy rebuilt from a chat completion is complete (before {@link #onCallEnded}); the
     * owner may keep it for a later {@code previous_response_id}. Nothing by default.
     */
    default void onResponseRebuilt(RebuiltResponse response) {
    }
}
