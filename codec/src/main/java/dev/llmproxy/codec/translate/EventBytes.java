package dev.llmproxy.codec.translate;

import io.netty.buffer.ByteBuf;

/**
 * One stream event's bytes as a {@code byte[]} range for Jackson's parser: the buffer's own array when it has one
 * (no copy), else a scratch array reused for every event of the stream.
 *
 * <p>Thread-safety: none; one instance per stream.
 */
public final class EventBytes {
    private byte[] scratch = new byte[512];
    private byte[] array = scratch;
    private int offset;

    /**
     * Points at {@code data[index, index + length)}; valid until the next call.
     *
     * @param data not taken, indexes unchanged
     */
    public void of(ByteBuf data, int index, int length) {
        if (data.hasArray()) {
            array = data.array();
            offset = data.arrayOffset() + index;
            return;
        }
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        data.getBytes(index, scratch, 0, length);
        array = scratch;
        offset = 0;
    }

    public byte[] array() {
        return array;
    }

    public int offset() {
        return offset;
    }
}
