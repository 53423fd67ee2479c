package dev.llmproxy.proxy.call;

/**
 * Receives a {@link CallRecord} for every request. Called once per request, on the event loop that served it:
 * implementations must not block (hand the record to a queue). A listener that throws is logged and skipped; it never
 * affects the client or the other listeners (see {@link CallListeners}).
 */
@FunctionalInterface
public interface CallListener {
    /** A listener that ignores every call. */
    CallListener NONE = record -> {};

    /** The request has ended; its response is complete or abandoned. */
    void onCallEnded(CallRecord record);
}
