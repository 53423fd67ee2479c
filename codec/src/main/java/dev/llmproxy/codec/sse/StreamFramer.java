package dev.llmproxy.codec.sse;

import io.netty.buffer.ByteBuf;

/**
 * Cuts a streamed response body into whole events as its bytes arrive and returns what to send the client for them:
 * {@link SseEventFramer} for {@code text/event-stream} bodies, the AWS event-stream decoder for Bedrock's binary
 * frames. One instance per response.
 *
 * <p>Thread-safety: none; confined to the response's event loop.
 */
public interface StreamFramer {

    /**
     * Frames the next part of the body.
     *
     * @param chunk not taken: its reference count and indexes are unchanged, and the caller still releases it
     * @return the bytes to send, possibly empty; owned by the caller, who must release (or write) it
     */
    ByteBuf frame(ByteBuf chunk);

    /** Whether an event outgrew the framer's bound and the framer stopped framing (its bytes would pass through). */
    boolean isOverflowed();

    /**
     * Ends the stream and frees the framer's buffers.
     *
     * @return the bytes of an incomplete trailing event, possibly empty; owned by the caller
     */
    ByteBuf finish();

    /** Abandons the stream and frees the framer's buffers. Idempotent. */
    void release();
}
