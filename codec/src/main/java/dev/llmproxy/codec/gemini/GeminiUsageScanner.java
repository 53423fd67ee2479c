package dev.llmproxy.codec.gemini;

import dev.llmproxy.codec.internal.JsonScanner;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Finds the top-level {@code usageMetadata} of a Gemini answer relayed untouched (a pass-through route), without
 * holding it: a {@code generateContent} body fed chunk by chunk ({@link #feed}), or a stream's events one at a time
 * ({@link #readEvent}; every event may carry the running totals, the last report wins). Counted as the translated
 * path counts them: completion tokens are the candidates' plus the thinking tokens, unless the total already holds
 * them (LiteLLM's rule).
 *
 * <p>Thread-safety: none; one instance per answer, confined to its event loop.
 */
public final class GeminiUsageScanner extends JsonScanner {
    private static final byte[] USAGE_METADATA = ascii("usageMetadata");
    private static final byte[][] COUNTS = {
        ascii("promptTokenCount"), ascii("candidatesTokenCount"), ascii("thoughtsTokenCount"),
        ascii("totalTokenCount")
    };
    private static final int PROMPT = 0;
    private static final int CANDIDATES = 1;
    private static final int THOUGHTS = 2;
    private static final int TOTAL = 3;

    private final long[] counts = new long[COUNTS.length];
    private boolean atUsage;
    private boolean inUsage;
    private int countKey = -1;
    private @Nullable Usage last;

    public GeminiUsageScanner() {
        super(2);
    }

    /**
     * Scans the next chunk of a whole-body answer; a body that is not JSON stops the scan quietly.
     *
     * @param chunk not retained, indexes unchanged
     */
    public void feed(ByteBuf chunk) {
        if (!isFailed()) {
            feed(chunk, chunk.readerIndex(), chunk.readableBytes());
        }
    }

    /**
     * Reads one stream event's data, a whole JSON object.
     *
     * @param data holds the JSON at {@code [index, index + length)}; not retained, indexes unchanged
     */
    public void readEvent(ByteBuf data, int index, int length) {
        reset();
        feed(data, index, length);
    }

    /** The usage reported last, or {@code null} when no {@code usageMetadata} closed yet. */
    public @Nullable Usage usage() {
        return last;
    }

    @Override
    public void reset() {
        super.reset();
        atUsage = false;
        inUsage = false;
        countKey = -1;
    }

    @Override
    protected void onKey(int depth, byte[] key, int length) {
        if (depth == 1) {
            atUsage = equals(key, length, USAGE_METADATA);
        } else if (inUsage) {
            countKey = -1;
            for (int i = 0; i < COUNTS.length; i++) {
                if (equals(key, length, COUNTS[i])) {
                    countKey = i;
                    break;
                }
            }
        }
    }

    @Override
    protected void onNumber(int depth, long integerPart) {
        if (depth == 2 && inUsage && countKey >= 0) {
            counts[countKey] = Math.max(integerPart, 0);
        }
    }

    @Override
    protected void onStartContainer(int depth, boolean array, long position) {
        if (depth == 1 && atUsage && !array) {
            inUsage = true;
            Arrays.fill(counts, 0);
            counts[TOTAL] = -1;
        }
    }

    @Override
    protected void onEndContainer(int depth, boolean array, long position, boolean empty) {
        if (depth == 1 && inUsage) {
            inUsage = false;
            long prompt = counts[PROMPT];
            long candidates = counts[CANDIDATES];
            long total = counts[TOTAL];
            boolean thoughtsInCandidates = total >= 0 && sum(prompt, candidates) == total;
            long completion = thoughtsInCandidates ? candidates : sum(candidates, counts[THOUGHTS]);
            last = new Usage(prompt, completion, Math.max(total, sum(prompt, completion)));
        }
    }

    private static long sum(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static boolean equals(byte[] key, int length, byte[] expected) {
        return length == expected.length && Arrays.equals(key, 0, length, expected, 0, length);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
