package dev.llmproxy.codec.multipart;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import org.jspecify.annotations.Nullable;

/**
 * The output of one rewrite of an input buffer by the multipart rewriters: retained slices of the input around the
 * stretches held back, with literal bytes between them. Usually a single slice, returned as it is.
 *
 * <p>ByteBuf ownership: the slices retain {@code in}; {@link #result} hands them to the caller, {@link #clear}
 * releases them. Thread-safety: confined to the rewriting thread.
 */
final class SlicedOutput {
    private final ByteBufAllocator alloc;
    private final ByteBuf in;
    private int emitFrom;
    private boolean suspended;
    private @Nullable ByteBuf single;
    private @Nullable CompositeByteBuf composite;

    /** @param suspended whether the input opens inside a stretch held back since the previous buffer */
    SlicedOutput(ByteBufAllocator alloc, ByteBuf in, boolean suspended) {
        this.alloc = alloc;
        this.in = in;
        this.emitFrom = in.readerIndex();
        this.suspended = suspended;
    }

    boolean isSuspended() {
        return suspended;
    }

    /** Emits the input up to {@code index} (exclusive); what follows is held back. */
    void suspend(int index) {
        add(in.retainedSlice(emitFrom, index - emitFrom));
        suspended = true;
    }

    /** The input from {@code index} goes out again. */
    void resume(int index) {
        suspended = false;
        emitFrom = index;
    }

    /** Emits {@code parts}, in order, where the output stands. */
    void literal(byte[]... parts) {
        add(Unpooled.wrappedBuffer(parts));
    }

    /** Drops everything emitted so far; nothing more of the input goes out. */
    void clear() {
        suspended = true;
        ByteBuf one = single;
        single = null;
        if (one != null) {
            one.release();
        }
        CompositeByteBuf many = composite;
        composite = null;
        if (many != null) {
            many.release();
        }
    }

    /** What was emitted, with the rest of the input unless held back; the caller owns it. */
    ByteBuf result() {
        if (!suspended) {
            add(in.retainedSlice(emitFrom, in.writerIndex() - emitFrom));
        }
        ByteBuf one = single;
        if (one != null) {
            return one;
        }
        CompositeByteBuf many = composite;
        return many != null ? many : Unpooled.EMPTY_BUFFER;
    }

    private void add(ByteBuf piece) {
        if (!piece.isReadable()) {
            piece.release();
            return;
        }
        CompositeByteBuf many = composite;
        if (many != null) {
            many.addComponent(true, piece);
            return;
        }
        ByteBuf one = single;
        if (one == null) {
            single = piece;
            return;
        }
        many = alloc.compositeBuffer(16);
        many.addComponent(true, one);
        many.addComponent(true, piece);
        single = null;
        composite = many;
    }
}
