package dev.llmproxy.codec.bedrock;

import dev.llmproxy.codec.internal.JsonScanner;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Finds the usage of a Bedrock answer relayed untouched (a pass-through route) without holding it, fed chunk by chunk
 * ({@link #feed}) or one stream message at a time ({@link #readEvent}): a Converse body's or ConverseStream
 * {@code metadata} event's {@code usage} ({@code inputTokens}, {@code outputTokens}, the cache reads and writes), an
 * InvokeModel answer's {@code usage} in Anthropic's format ({@code input_tokens}, ...), Llama's
 * {@code prompt_token_count} and {@code generation_token_count}, and the {@code amazon-bedrock-invocationMetrics}
 * Bedrock adds to the last chunk of an InvokeModel stream. Prompt tokens are counted as the translated path counts
 * them: the input plus the cache reads and writes.
 *
 * <p>Thread-safety: none; one instance per answer, confined to its event loop.
 */
public final class BedrockUsageScanner extends JsonScanner {
    private static final byte[] USAGE = ascii("usage");
    private static final byte[] METRICS = ascii("amazon-bedrock-invocationMetrics");
    private static final byte[] LLAMA_PROMPT = ascii("prompt_token_count");
    private static final byte[] LLAMA_GENERATION = ascii("generation_token_count");
    private static final int INPUT = 0;
    private static final int OUTPUT = 1;
    private static final int TOTAL = 2;
    private static final int CACHE_READ = 3;
    private static final int CACHE_WRITE = 4;
    /** The names of each count, Converse's, Anthropic's and the invocation metrics', by the index above. */
    private static final byte[][][] NAMES = {
        {ascii("inputTokens"), ascii("input_tokens"), ascii("inputTokenCount")},
        {ascii("outputTokens"), ascii("output_tokens"), ascii("outputTokenCount")},
        {ascii("totalTokens")},
        {ascii("cacheReadInputTokens"), ascii("cache_read_input_tokens")},
        {ascii("cacheWriteInputTokens"), ascii("cache_creation_input_tokens")},
    };

    private final boolean metricsOnly;
    private final long[] counts = new long[NAMES.length];
    private boolean atUsage;
    private boolean inUsage;
    private int countKey = -1;
    private int topKey = -1;
    private @Nullable Usage last;

    /** A scanner of whole answers and of ConverseStream events. */
    public BedrockUsageScanner() {
        this(false);
    }

    /**
     * @param metricsOnly whether only {@code amazon-bedrock-invocationMetrics} counts: the decoded chunks of an
     *     InvokeModel stream, whose Anthropic events carry partial {@code usage} objects read elsewhere
     */
    public BedrockUsageScanner(boolean metricsOnly) {
        super(2);
        this.metricsOnly = metricsOnly;
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
     * Reads one stream message's payload, a whole JSON object; the last usage read wins.
     *
     * @param data holds the JSON at {@code [index, index + length)}; not retained, indexes unchanged
     */
    public void readEvent(ByteBuf data, int index, int length) {
        reset();
        feed(data, index, length);
    }

    /**
     * The usage read last, or {@code null} when none was: for a body, once its top-level object closed (Llama's
     * counts) or its {@code usage} did.
     */
    public @Nullable Usage usage() {
        return last;
    }

    @Override
    public void reset() {
        super.reset();
        atUsage = false;
        inUsage = false;
        countKey = -1;
        topKey = -1;
    }

    @Override
    protected void onKey(int depth, byte[] key, int length) {
        if (depth == 1) {
            atUsage = equals(key, length, METRICS) || !metricsOnly && equals(key, length, USAGE);
            topKey = metricsOnly ? -1 : equals(key, length, LLAMA_PROMPT) ? INPUT
                    : equals(key, length, LLAMA_GENERATION) ? OUTPUT : -1;
        } else if (inUsage) {
            countKey = indexOf(key, length);
        }
    }

    @Override
    protected void onNumber(int depth, long integerPart) {
        if (depth == 2 && inUsage && countKey >= 0) {
            counts[countKey] = Math.max(integerPart, 0);
        } else if (depth == 1 && topKey >= 0) {
            if (last == null) {
                Arrays.fill(counts, 0);
                counts[TOTAL] = -1;
            }
            counts[topKey] = Math.max(integerPart, 0);
            last = usageOfCounts();
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
            last = usageOfCounts();
        }
    }

    private Usage usageOfCounts() {
        long prompt = sum(sum(counts[INPUT], counts[CACHE_READ]), counts[CACHE_WRITE]);
        long output = counts[OUTPUT];
        long total = counts[TOTAL];
        return new Usage(prompt, output, Math.max(total, sum(prompt, output)));
    }

    private static int indexOf(byte[] key, int length) {
        for (int i = 0; i < NAMES.length; i++) {
            for (byte[] name : NAMES[i]) {
                if (equals(key, length, name)) {
                    return i;
                }
            }
        }
        return -1;
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
