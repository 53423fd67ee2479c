package dev.llmproxy.proxy.server;

/**
 * User event fired by {@link LingeringCloseHandler} when a connection starts its lingering close: its last response
 * is written, and nothing it receives from now on is parsed.
 */
final class LingeringCloseEvent {
    static final LingeringCloseEvent INSTANCE = new LingeringCloseEvent();

    private LingeringCloseEvent() {}
}
