package dev.llmproxy.proxy.server;

/**
 * Receives a {@link CallRecord} for every completed, failed or abandoned model call. Called on the event loop that
 * served the call: implementations must not block (hand the record to a queue).
 */
@FunctionalInterface
public interface CallListener {
    /** A listener that ignores every call. */
    CallListener NONE = record -> {};

    /** The call has ended; its response is complete or abandoned. */
    void onCallEnded(CallRecord record);
}
