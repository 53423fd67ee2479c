package dev.llmproxy.proxy.server;

/** User event fired on every client connection when the server starts draining: idle connections close now. */
final class DrainEvent {
    static final DrainEvent INSTANCE = new DrainEvent();

    private DrainEvent() {}
}
