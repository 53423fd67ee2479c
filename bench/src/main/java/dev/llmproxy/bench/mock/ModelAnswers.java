package dev.llmproxy.bench.mock;

/**
 * Precomputed bytes of the default answers for one model, so that plain benchmark requests cost one copy into a
 * pooled buffer instead of JSON generation. The default answer is {@link #PIECE} once per chunk, reporting
 * {@link #DEFAULT_PROMPT_TOKENS} prompt tokens and one completion token per chunk.
 *
 * <p>Thread-safety: immutable; the arrays are never written after construction and must not be modified.
 */
final class ModelAnswers {
    static final String PIECE = "tok ";
    static final int DEFAULT_PROMPT_TOKENS = 10;
    static final int DEFAULT_DIMENSIONS = 16;

    final byte[] chatJson;
    final byte[] textJson;
    final byte[] embeddingJson;
    /** Indexed by {@code includeUsage ? 1 : 0}. */
    final byte[][] chatFirstChunk = new byte[2][];
    final byte[][] chatChunk = new byte[2][];
    final byte[][] chatFinishChunk = new byte[2][];
    final byte[][] textChunk = new byte[2][];
    final byte[][] textFinishChunk = new byte[2][];
    final byte[] chatUsageChunk;
    final byte[] textUsageChunk;

    ModelAnswers(OpenAiBodies bodies, String model, int chunks) {
        String content = PIECE.repeat(chunks);
        chatJson = OpenAiBodies.toBytes(bodies.chatCompletion(model, content, DEFAULT_PROMPT_TOKENS, chunks));
        textJson = OpenAiBodies.toBytes(bodies.textCompletion(model, content, DEFAULT_PROMPT_TOKENS, chunks));
        embeddingJson = OpenAiBodies.toBytes(
                bodies.embeddings(model, 1, DEFAULT_DIMENSIONS, false, DEFAULT_PROMPT_TOKENS));
        for (int usage = 0; usage < 2; usage++) {
            boolean usageNull = usage == 1;
            chatFirstChunk[usage] = OpenAiBodies.toSseBytes(bodies.chatChunk(model, true, PIECE, false, usageNull));
            chatChunk[usage] = OpenAiBodies.toSseBytes(bodies.chatChunk(model, false, PIECE, false, usageNull));
            chatFinishChunk[usage] = OpenAiBodies.toSseBytes(bodies.chatChunk(model, false, null, true, usageNull));
            textChunk[usage] = OpenAiBodies.toSseBytes(bodies.textChunk(model, PIECE, false, usageNull));
            textFinishChunk[usage] = OpenAiBodies.toSseBytes(bodies.textChunk(model, "", true, usageNull));
        }
        chatUsageChunk = OpenAiBodies.toSseBytes(bodies.usageChunk(true, model, DEFAULT_PROMPT_TOKENS, chunks));
        textUsageChunk = OpenAiBodies.toSseBytes(bodies.usageChunk(false, model, DEFAULT_PROMPT_TOKENS, chunks));
    }
}
