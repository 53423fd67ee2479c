package dev.llmproxy.codec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.llmproxy.codec.testing.FuzzInput;
import dev.llmproxy.codec.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Fuzzes {@link JsonBodyUsageScanner}, which reads every non-streamed response body a provider sends, chunk by chunk.
 *
 * <p>Properties checked on every input: it never throws; the chunks are left as they were; the usage found does not
 * depend on how the body was cut into chunks (it equals {@link JsonBodyUsageScanner#usageOf} of the whole body); a
 * usage is never negative.
 *
 * <p>Input layout ({@link FuzzInput}): a count byte (0-6) and that many two-byte chunk cuts, then the body.
 */
class JsonBodyUsageScannerFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void feedInChunks(byte[] input) {
        FuzzInput data = new FuzzInput(input);
        int[] cuts = new int[data.nextInt(7)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = data.nextShort();
        }
        byte[] body = data.rest();
        TrackingAllocator alloc = new TrackingAllocator();
        ByteBuf whole = alloc.directBuffer().writeBytes(body);
        @Nullable Usage expected;
        try {
            expected = JsonBodyUsageScanner.usageOf(whole);
            assertThat(whole.readableBytes()).isEqualTo(body.length);
        } finally {
            whole.release();
        }
        JsonBodyUsageScanner scanner = new JsonBodyUsageScanner();
        int[] bounds = bounds(cuts, body.length);
        for (int c = 0; c + 1 < bounds.length; c++) {
            int length = bounds[c + 1] - bounds[c];
            ByteBuf chunk = alloc.heapBuffer(length).writeBytes(body, bounds[c], length);
            try {
                scanner.feed(chunk);
                assertThat(chunk.readableBytes()).isEqualTo(length);
            } finally {
                chunk.release();
            }
        }
        assertThat(scanner.usage()).as("usage fed in %d chunks", bounds.length - 1).isEqualTo(expected);
        if (expected != null) {
            assertThat(expected.promptTokens()).isNotNegative();
            assertThat(expected.completionTokens()).isNotNegative();
            assertThat(expected.totalTokens()).isNotNegative();
        }
        alloc.assertAllReleased("JsonBodyUsageScanner");
    }

    private static int[] bounds(int[] cuts, int length) {
        int[] bounds = new int[cuts.length + 2];
        for (int i = 0; i < cuts.length; i++) {
            bounds[i + 1] = length == 0 ? 0 : cuts[i] % (length + 1);
        }
        bounds[bounds.length - 1] = length;
        Arrays.sort(bounds);
        return bounds;
    }
}
