package dev.llmproxy.bench.mock;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The parts of a request body the mock acts on, with the {@code mock_*} controls resolved against the provider's
 * defaults. Filled in by {@link MockRequestParser}.
 *
 * <p>Thread-safety: not thread-safe; created, filled and read on one connection's event loop.
 */
final class MockRequest {
    static final int UNSET = -1;

    String model = "";
    boolean stream;
    boolean includeUsage;
    int embeddingInputs = 1;
    int dimensions = UNSET;
    /** A Bedrock embedding request's texts: Titan's {@code inputText}, Cohere's {@code texts}. */
    final List<String> embedTexts = new ArrayList<>();
    boolean base64;

    int chunks;
    long chunkIntervalMillis;
    long firstChunkDelayMillis;
    long delayMillis;
    int status = UNSET;
    @Nullable String errorMessage;
    boolean hang;
    int cutAfterChunks = UNSET;
    int errorAfterChunks = UNSET;
    int holdAfterChunks = UNSET;
    long holdMillis;
    @Nullable String content;
    /** Responses API: the earlier response the request continues. */
    @Nullable String previousResponseId;
    /** Anthropic answers: call this tool (with {@link #toolArguments}, JSON) instead of answering text. */
    @Nullable String toolName;
    String toolArguments = "{}";
    /** Gemini answers: the {@code finishReason} of the last chunk ({@code STOP} when unset). */
    @Nullable String finishReason;
    /** Gemini answers: thinking tokens reported apart from the candidates' ({@code thoughtsTokenCount}). */
    int thoughtTokens;
    int promptTokens = UNSET;
    int completionTokens = UNSET;
    /** Bedrock answers: the cache reads and writes the usage reports ({@code mock_usage}'s Anthropic names). */
    int cacheReadTokens;
    int cacheWriteTokens;
    /** A speech or image request's {@code response_format} (a string; chat's object form is not kept). */
    @Nullable String responseFormat;
    /** A speech request's {@code voice}, or Gemini's {@code prebuiltVoiceConfig.voiceName}. */
    @Nullable String voice;
    /** Whether a Gemini request asks for audio ({@code responseModalities} has {@code AUDIO}). */
    boolean audio;
    /** How many audio bytes a speech answer has ({@code mock_audio_bytes}). */
    int audioBytes = UNSET;
    /** How many images an image request asks for ({@code n}). */
    int images = 1;
    /** How many documents a rerank request has. */
    int documents;
    /** A rerank request's {@code top_n} (Voyage's {@code top_k}). */
    int topN = UNSET;
    /** Whether a rerank request is Voyage AI's ({@code top_k}, or a {@code rerank-2*} or {@code rerank-lite} model). */
    boolean voyage;
    /** Whether a rerank request asks for the documents back. */
    boolean returnDocuments;

    MockRequest(MockProviderConfig config) {
        chunks = config.streamChunks();
        chunkIntervalMillis = config.streamChunkIntervalMillis();
        firstChunkDelayMillis = config.streamFirstChunkDelayMillis();
    }

    /** Whether the answer can come from the precomputed bytes for the request's model. */
    boolean isDefaultAnswer(MockProviderConfig config) {
        return content == null
                && promptTokens == UNSET
                && completionTokens == UNSET
                && cacheReadTokens == 0
                && cacheWriteTokens == 0
                && chunks == config.streamChunks();
    }
}
