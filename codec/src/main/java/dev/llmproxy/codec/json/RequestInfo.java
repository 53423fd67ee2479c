package dev.llmproxy.codec.json;

import org.jspecify.annotations.Nullable;

/**
 * What {@link RequestScanner} learned about an OpenAI-style request body. Offsets are relative to the body's
 * {@code readerIndex} at scan time.
 *
 * <p>Thread-safety: immutable.
 *
 * @param error a short message for the client if the body is unusable (invalid JSON, not an object, non-string
 *     {@code model}); {@code null} when the body is valid. All other components are meaningless when set.
 * @param model the decoded top-level {@code model} string, or {@code null} when absent
 * @param modelStart offset of the opening quote of the {@code model} value, or -1 when absent
 * @param modelEnd offset one past the closing quote of the {@code model} value, or -1 when absent
 * @param stream whether top-level {@code stream} is the JSON literal {@code true}
 * @param hasStreamOptions whether a top-level {@code stream_options} member exists (with any value)
 * @param includeUsage whether {@code stream_options.include_usage} is the literal {@code true}
 * @param hasMessages whether a top-level {@code messages} member exists
 * @param hasPrompt whether a top-level {@code prompt} member exists
 * @param hasInput whether a top-level {@code input} member exists
 * @param hasRouterParams whether a top-level member is one of LiteLLM's per-request router parameters
 *     ({@code num_retries}, {@code timeout}, {@code fallbacks}, ...; see {@link RouterParams})
 * @param hasDropParams whether a top-level {@code drop_params} or {@code additional_drop_params} member exists
 *     (LiteLLM's own parameters, removed before the body is forwarded)
 * @param closingBrace offset of the closing brace of the top-level object, or -1 when {@code error} is set
 * @param user the decoded top-level {@code user} string (the end user, LiteLLM's customer), or {@code null} when
 *     absent or not a string
 * @param temperature the top-level {@code temperature} number as written (the double its text denotes), or NaN when
 *     absent or not a number
 * @param topP the top-level {@code top_p} number as written, or NaN when absent or not a number
 * @param maxTokens the top-level {@code max_tokens} integer, or {@link #NO_MAX_TOKENS} when absent, not a number, not
 *     an integer (a fraction or an exponent) or outside the long range
 */
public record RequestInfo(
        @Nullable String error,
        @Nullable String model,
        int modelStart,
        int modelEnd,
        boolean stream,
        boolean hasStreamOptions,
        boolean includeUsage,
        boolean hasMessages,
        boolean hasPrompt,
        boolean hasInput,
        boolean hasRouterParams,
        boolean hasDropParams,
        int closingBrace,
        @Nullable String user,
        double temperature,
        double topP,
        long maxTokens) {

    /** {@link #maxTokens()} when the request has no integer {@code max_tokens}. */
    public static final long NO_MAX_TOKENS = Long.MIN_VALUE;

    /** Returns a result that carries only {@code message} as its error. */
    public static RequestInfo invalid(String message) {
        return new RequestInfo(message, null, -1, -1, false, false, false, false, false, false, false, false, -1, null,
                Double.NaN, Double.NaN, NO_MAX_TOKENS);
    }

    /**
     * Returns what a request whose body was not scanned as JSON (a streamed upload) is known by: its {@code model},
     * and whether it asks for a {@code stream} (a form field of a transcription).
     */
    public static RequestInfo ofModel(String model, boolean stream) {
        return new RequestInfo(null, model, -1, -1, stream, false, false, false, false, false, false, false, -1, null,
                Double.NaN, Double.NaN, NO_MAX_TOKENS);
    }

    /** Returns whether the body is a valid JSON object with a usable {@code model} (if any). */
    public boolean isValid() {
        return error == null;
    }

    /** Returns whether the body has a top-level {@code model} string. */
    public boolean hasModel() {
        return modelStart >= 0;
    }
}
