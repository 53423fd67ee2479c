package dev.llmproxy.codec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.llmproxy.codec.testing.FuzzInput;
import dev.llmproxy.codec.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fuzzes {@link StreamChunkInspector}, which reads every SSE data payload a provider streams.
 *
 * <p>Properties checked on every input: it never throws; the payload's buffer is left as it was; the result does not
 * depend on where the payload sits (heap, direct, between unrelated bytes); {@code [DONE]} is reported exactly for
 * that sentinel; a usage it reports is the one {@link JsonBodyUsageScanner} finds in the same bytes.
 *
 * <p>Input layout ({@link FuzzInput}): a length byte (0-4) and that many bytes put before the payload, the same for
 * the bytes after it, then the payload.
 */
class StreamChunkInspectorFuzzTest {
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    @FuzzTest(maxDuration = "10s")
    void inspect(byte[] input) {
        FuzzInput data = new FuzzInput(input);
        byte[] before = data.next(data.nextInt(5));
        byte[] after = data.next(data.nextInt(5));
        byte[] payload = data.rest();
        TrackingAllocator alloc = new TrackingAllocator();
        ByteBuf heap = alloc.heapBuffer().writeBytes(payload);
        ByteBuf framed = alloc.directBuffer().writeBytes(before).writeBytes(payload).writeBytes(after);
        try {
            StreamChunk chunk = StreamChunkInspector.inspect(heap);
            assertThat(heap.readerIndex()).isZero();
            assertThat(heap.readableBytes()).isEqualTo(payload.length);
            assertThat(StreamChunkInspector.inspect(framed, before.length, payload.length)).isEqualTo(chunk);
            assertThat(framed.readableBytes()).isEqualTo(before.length + payload.length + after.length);

            assertThat(chunk.done()).as("done").isEqualTo(Arrays.equals(trimmed(payload), DONE));
            if (chunk.usage() != null) {
                assertThat(JsonBodyUsageScanner.usageOf(heap)).isEqualTo(chunk.usage());
            } else {
                assertThat(chunk.usageOnly()).isFalse();
            }
        } finally {
            heap.release();
            framed.release();
        }
        alloc.assertAllReleased("StreamChunkInspector");
    }

    /** Returns {@code payload} without the JSON whitespace at either end. */
    private static byte[] trimmed(byte[] payload) {
        int from = 0;
        int to = payload.length;
        while (from < to && isJsonSpace(payload[from])) {
            from++;
        }
        while (to > from && isJsonSpace(payload[to - 1])) {
            to--;
        }
        return Arrays.copyOfRange(payload, from, to);
    }

    private static boolean isJsonSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
