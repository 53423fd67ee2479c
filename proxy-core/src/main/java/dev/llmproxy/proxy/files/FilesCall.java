package dev.llmproxy.proxy.files;

/**
 * A files or batches request being answered on a client connection: told when the client can take more bytes and
 * when it went away. Called on the connection's event loop.
 */
public interface FilesCall {

    /** The client connection became writable again. */
    void onClientWritable();

    /** The client connection closed; the call ends at once. */
    void onClientGone();

    /** Whether the call has ended (its answer written, or abandoned). */
    boolean isDone();
}
