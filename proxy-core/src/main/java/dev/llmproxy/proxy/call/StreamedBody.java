package dev.llmproxy.proxy.call;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import org.jspecify.annotations.Nullable;

/*
 * Implementation notes.
 *
 * The body arrives from the client connection part by part (ClientHandler calls add) and leaves for one attempt at a
 * time (the sink). Its first bytes are kept, so that an attempt that fails before the provider answered can be
 * followed by another one that gets the body from the start: the held bytes are replayed, and the live parts follow.
 * Once the body is larger than what may be held (holdBytes) while an attempt is taking it, the held bytes are let go
 * and the body can be sent only once: the call then relays the attempt's failure instead of retrying (isReplayable).
 *
 * Memory: what is held counts against the server's budget of request bytes (HeldBytes), reserved as it is held and
 * given back when it is let go. A part that does not fit is not held: with an attempt taking the body, the held bytes
 * are let go as if the body had grown past holdBytes (the body goes on, sent once); with none, nobody could take the
 * part, so the body fails (REQUEST_BUFFERS_FULL, a 503 to retry).
 *
 * Backpressure: the client connection stops reading while the sink cannot take more (its upstream connection is not
 * writable), and while no sink takes the body and the held bytes have reached their limit (between attempts, or
 * while the call waits for capacity). The sink says when it can take more again (resumeClient).
 */
/**
 * A request body that is streamed to the provider as it arrives (an upload) instead of collected first. Owned by the
 * {@link ModelCall} it belongs to, which releases it when it ends; fed by the client connection.
 *
 * <p>Thread-safety: confined to the client connection's event loop.
 */
public final class StreamedBody {
    /** What an attempt keeps to retry elsewhere: beyond this, a body is sent once (1 MiB). */
    public static final int REPLAY_BYTES = 1024 * 1024;

    /**
     * The server-wide count of request bytes in memory, which the held bytes are part of. Thread-safety: called from
     * any event loop.
     */
    public interface HeldBytes {
        /** Reserves {@code bytes} if they fit under the limit; returns whether they did. */
        boolean tryReserve(long bytes);

        /** Gives back {@code bytes} reserved earlier. */
        void release(long bytes);
    }

    /** The attempt (or pass-through relay) taking the body. Called on the event loop. */
    public interface Sink {
        /** The next bytes of the body, as the client sent them; {@code part} is taken. */
        void onBodyPart(ByteBuf part, boolean last);

        /** The client's body failed (too large, or cut short): nothing more follows. */
        void onBodyFailed(ProxyError error, String message);
    }

    private final ChannelHandlerContext client;
    private final String contentType;
    private final @Nullable String boundary;
    private final long declaredLength;
    private final HeldBytes budget;
    /** The most bytes held while no attempt takes them; lowered to {@link #REPLAY_BYTES} once the call starts. */
    private long holdBytes;
    /** The body from its first byte, while it can be replayed; owned here, released when let go or at release(). */
    private @Nullable CompositeByteBuf held;
    /** Bytes of {@link #held} reserved in {@link #budget}; given back when it is let go. */
    private long reservedBytes;
    private long receivedBytes;
    private boolean replayable = true;
    private boolean complete;
    private @Nullable ProxyError failure;
    private @Nullable String failureMessage;
    private @Nullable Sink sink;
    private boolean clientPaused;
    private boolean released;

    /**
     * @param client the client connection the body arrives on (its reading is paused and resumed here)
     * @param contentType the client's {@code Content-Type}, sent on as it is
     * @param boundary the multipart boundary, or null for a body passed on untouched
     * @param declaredLength the client's {@code Content-Length}, or -1 for a chunked body
     * @param holdBytes how many bytes may be held before an attempt takes them (the model must be found in them)
     * @param budget where the held bytes are counted
     */
    public StreamedBody(ChannelHandlerContext client, String contentType, @Nullable String boundary,
            long declaredLength, long holdBytes, HeldBytes budget) {
        this.client = requireNonNull(client, "client");
        this.contentType = requireNonNull(contentType, "contentType");
        this.boundary = boundary;
        this.declaredLength = declaredLength;
        this.holdBytes = holdBytes;
        this.budget = requireNonNull(budget, "budget");
    }

    /** The client's {@code Content-Type}. */
    public String contentType() {
        return contentType;
    }

    /** The multipart boundary, or null for a body passed on untouched. */
    public @Nullable String boundary() {
        return boundary;
    }

    /** The client's {@code Content-Length}, or -1 for a chunked body. */
    public long declaredLength() {
        return declaredLength;
    }

    /** Bytes received so far. */
    public long receivedBytes() {
        return receivedBytes;
    }

    /** Whether the last part arrived (or the body failed). */
    public boolean isComplete() {
        return complete;
    }

    /** Whether another attempt could send the body from its start (nothing of it was let go, and it did not fail). */
    public boolean isReplayable() {
        return replayable && failure == null;
    }

    /**
     * Adds the next part from the client; {@code part} is taken. A part whose decoding failed ends the body: too
     * large (the aggregator's limit) or cut short.
     */
    public void add(HttpContent part) {
        if (released || complete) {
            part.release();
            return;
        }
        if (part.decoderResult().isFailure()) {
            Throwable cause = part.decoderResult().cause();
            part.release();
            fail(cause instanceof TooLongFrameException ? ProxyError.BODY_TOO_LARGE : ProxyError.CLIENT_CLOSED,
                    cause instanceof TooLongFrameException ? String.valueOf(cause.getMessage())
                            : "The client's request body was cut short");
            return;
        }
        boolean last = part instanceof LastHttpContent;
        ByteBuf bytes = part.content().retain();
        part.release();
        receivedBytes += bytes.readableBytes();
        complete = last;
        Sink taker = sink;
        if (replayable) {
            CompositeByteBuf kept = held;
            long keptBytes = kept == null ? 0 : kept.readableBytes();
            if (taker != null && keptBytes + bytes.readableBytes() > holdBytes) {
                letGoOfHeld();
            } else if (!budget.tryReserve(bytes.readableBytes())) {
                if (taker == null) {
                    bytes.release();
                    fail(ProxyError.REQUEST_BUFFERS_FULL,
                            "The server is handling too many request bodies right now; retry shortly");
                    return;
                }
                letGoOfHeld();
            } else {
                reservedBytes += bytes.readableBytes();
                if (kept == null) {
                    kept = client.alloc().compositeBuffer(Integer.MAX_VALUE);
                    held = kept;
                }
                kept.addComponent(true, bytes.retainedDuplicate());
                if (taker == null && kept.readableBytes() > holdBytes) {
                    pauseClient();
                }
            }
        }
        if (taker != null) {
            taker.onBodyPart(bytes, last);
        } else {
            bytes.release();
        }
    }

    /** The call (or the relay) taking the body started: from now on it holds only what a retry may need. */
    public void callStarted() {
        holdBytes = REPLAY_BYTES;
    }

    /**
     * Makes {@code taker} the body's sink and returns the bytes received so far, from the first (the caller releases
     * them); every later part goes to {@code taker} until {@link #detach}.
     *
     * @throws IllegalStateException when the body cannot be replayed
     */
    public ByteBuf attach(Sink taker) {
        if (!isReplayable() || released) {
            throw new IllegalStateException("the body cannot be sent again");
        }
        sink = taker;
        resumeClient();
        CompositeByteBuf kept = held;
        return kept == null ? Unpooled.EMPTY_BUFFER : kept.retainedDuplicate();
    }

    /** {@code taker} takes no more parts; later ones are held (while the body is replayable) or dropped. */
    public void detach(Sink taker) {
        if (sink == taker) {
            sink = null;
        }
    }

    /** Stops reading from the client: the sink cannot take more now. */
    public void pauseClient() {
        if (!clientPaused && !complete) {
            clientPaused = true;
            client.channel().config().setAutoRead(false);
        }
    }

    /** Reads from the client again. */
    public void resumeClient() {
        if (clientPaused) {
            clientPaused = false;
            client.channel().config().setAutoRead(true);
        }
    }

    /** Lets go of every byte held; later parts are dropped. Called by the owner: the call, or who refused it. */
    public void release() {
        if (released) {
            return;
        }
        released = true;
        sink = null;
        letGoOfHeld();
    }

    private void letGoOfHeld() {
        replayable = false;
        CompositeByteBuf kept = held;
        held = null;
        if (kept != null) {
            kept.release();
        }
        budget.release(reservedBytes);
        reservedBytes = 0;
    }

    private void fail(ProxyError error, String message) {
        failure = error;
        failureMessage = message;
        complete = true;
        letGoOfHeld();
        Sink taker = sink;
        if (taker != null) {
            taker.onBodyFailed(error, message);
        }
    }

    /** Why the body failed, or null. */
    public @Nullable ProxyError failure() {
        return failure;
    }

    /** The message of {@link #failure()}, or null. */
    public @Nullable String failureMessage() {
        return failureMessage;
    }
}
