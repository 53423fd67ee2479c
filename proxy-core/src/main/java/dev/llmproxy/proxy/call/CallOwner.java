package dev.llmproxy.proxy.call;

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
}
