package dev.llmproxy.codec.openai;

/**
 * Token counts of one completion as reported by the upstream.
 *
 * <p>Thread-safety: immutable.
 *
 * @param promptTokens {@code prompt_tokens} (or {@code input_tokens})
 * @param completionTokens {@code completion_tokens} (or {@code output_tokens})
 * @param totalTokens {@code total_tokens}, or prompt plus completion when the upstream omits it
 */
public record Usage(long promptTokens, long completionTokens, long totalTokens) {

    /**
     * Returns a usage whose total is {@code promptTokens + completionTokens}, or {@link Long#MAX_VALUE} when that
     * overflows (a provider may report any count; a negative total would credit spend).
     */
    public static Usage of(long promptTokens, long completionTokens) {
        return new Usage(promptTokens, completionTokens, saturatedSum(promptTokens, completionTokens));
    }

    /** Returns {@code a + b} for non-negative counts, {@link Long#MAX_VALUE} when the sum overflows. */
    static long saturatedSum(long a, long b) {
        long sum = a + b;
        return sum < 0 && a >= 0 && b >= 0 ? Long.MAX_VALUE : sum;
    }
}
