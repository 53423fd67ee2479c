package dev.llmproxy.codec.testing;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator that remembers every buffer it hands out, so that a test can assert that all of them were released
 * once it is done: a leak is then found on the input that caused it, not later by the garbage collector (which is
 * what a fuzz test needs to keep the input as a reproducer).
 *
 * <p>Buffers come from an unpooled allocator, so that a released buffer's {@code refCnt()} stays 0 rather than the
 * memory being reused. Thread-safety: none; one instance per test input.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private final UnpooledByteBufAllocator delegate = new UnpooledByteBufAllocator(false, true);
    private final List<ByteBuf> allocated = new ArrayList<>();

    public TrackingAllocator() {
        super(false);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(delegate.heapBuffer(initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(delegate.directBuffer(initialCapacity, maxCapacity));
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return track(super.compositeHeapBuffer(maxNumComponents));
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return track(super.compositeDirectBuffer(maxNumComponents));
    }

    /** Returns how many buffers were handed out. */
    public int allocations() {
        return allocated.size();
    }

    /**
     * Throws {@link AssertionError} naming the buffers that still hold a reference.
     *
     * @param what names the code under test in the message
     */
    public void assertAllReleased(String what) {
        List<String> live = new ArrayList<>();
        for (int i = 0; i < allocated.size(); i++) {
            ByteBuf buf = allocated.get(i);
            if (buf.refCnt() != 0) {
                live.add("#" + i + " " + buf.getClass().getSimpleName() + " refCnt=" + buf.refCnt());
            }
        }
        if (!live.isEmpty()) {
            throw new AssertionError(what + " left " + live.size() + " of " + allocated.size()
                    + " buffers unreleased: " + live);
        }
    }

    private <T extends ByteBuf> T track(T buf) {
        allocated.add(buf);
        return buf;
    }
}
