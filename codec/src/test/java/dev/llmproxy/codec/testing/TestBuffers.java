package dev.llmproxy.codec.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Builds test buffers of every shape the codecs meet: heap, direct, composite, and with a reader index that is not 0.
 *
 * <p>Thread-safety: stateless. Every returned buffer is owned by the caller.
 */
public final class TestBuffers {
    /** The allocator tests use, so that leaks are tracked like in production. */
    public static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** Buffer shapes. */
    public enum Kind {
        HEAP, DIRECT, COMPOSITE, OFFSET
    }

    private TestBuffers() {
    }

    /** Returns {@code text} in UTF-8 as a buffer of the given kind. */
    public static ByteBuf of(Kind kind, String text) {
        return of(kind, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Returns {@code bytes} as a buffer of the given kind. */
    public static ByteBuf of(Kind kind, byte[] bytes) {
        switch (kind) {
            case HEAP:
                return ALLOC.heapBuffer(bytes.length).writeBytes(bytes);
            case DIRECT:
                return ALLOC.directBuffer(bytes.length).writeBytes(bytes);
            case COMPOSITE:
                return split(bytes, bytes.length / 2);
            default:
                ByteBuf buf = ALLOC.heapBuffer(bytes.length + 7).writeBytes("garbage".getBytes(StandardCharsets.US_ASCII));
                buf.writeBytes(bytes);
                buf.readerIndex(7);
                return buf;
        }
    }

    /** Returns a composite of a heap buffer with {@code bytes[0, at)} and a direct one with the rest. */
    public static ByteBuf split(byte[] bytes, int at) {
        CompositeByteBuf composite = ALLOC.compositeBuffer();
        composite.addComponent(true, ALLOC.heapBuffer(at).writeBytes(bytes, 0, at));
        composite.addComponent(true, ALLOC.directBuffer(bytes.length - at).writeBytes(bytes, at, bytes.length - at));
        return composite;
    }

    /** Returns the readable bytes of {@code buf} as UTF-8 text and releases it. */
    public static String drain(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }
}
