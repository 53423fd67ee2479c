package dev.llmproxy.codec.openai;

import org.jspecify.annotations.Nullable;

/**
 * What {@link StreamChunkInspector} found in one SSE data payload of an OpenAI-style stream.
 *
 * <p>Thread-safety: immutable. The common results are shared constants, so only chunks that carry usage allocate.
 *
 * @param done whether the payload is the {@code [DONE]} sentinel
 * @param usage the top-level {@code usage} object, or {@code null} when absent, {@code null} or not an object
 * @param usageOnly whether the payload carries usage and its top-level {@code choices} is an empty array (the
 *     closing chunk {@code stream_options.include_usage} asks for)
 */
public record StreamChunk(boolean done, @Nullable Usage usage, boolean usageOnly) {
    /** The {@code [DONE]} sentinel. */
    public static final StreamChunk DONE = new StreamChunk(true, null, false);
    /** A payload without usage, including one that is not JSON. */
    public static final StreamChunk PLAIN = new StreamChunk(false, null, false);
}
