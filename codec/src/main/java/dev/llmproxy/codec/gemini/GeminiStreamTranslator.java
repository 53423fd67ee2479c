package dev.llmproxy.codec.gemini;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer.Decision;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.translate.ChunkWriter;
import dev.llmproxy.codec.translate.EventBytes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;

/**
 * Translates a Gemini {@code streamGenerateContent?alt=sse} stream, one SSE event at a time, into OpenAI
 * {@code chat.completion.chunk} events (provider spec, section 3.6). Used as the {@link SseEventFramer}'s visitor:
 * each Gemini event (a whole {@code GenerateContentResponse}) is replaced by its OpenAI chunks, written as it arrives.
 *
 * <ul>
 *   <li>The first event also gives the first chunk, {@code delta: {role: "assistant", content: ""}}; its
 *       {@code responseId} is every chunk's {@code id}, its {@code modelVersion} every chunk's {@code model} (the
 *       deployment's model when Gemini names none).
 *   <li>Each text part → a {@code content} delta; each thought part → a {@code reasoning_content} delta; each
 *       {@code functionCall} → a whole tool call ({@code index} counting calls from 0, the full arguments in one
 *       delta; the thought signature rides in the id as in {@link GeminiResponses}).
 *   <li>A candidate's {@code finishReason} → a chunk with {@code finish_reason} ({@code tool_calls} when the stream
 *       made calls); a blocked prompt ({@code promptFeedback.blockReason}) → {@code content_filter}.
 *   <li>{@code usageMetadata} (running totals on any event) → the usage, the last report winning.
 *   <li>An {@code error} object in the stream → an OpenAI error event with the error's code mapped; the stream ends
 *       there.
 * </ul>
 *
 * <p>Gemini sends no {@code [DONE]}: {@link #finish} gives the closing events once the provider's stream has ended,
 * the usage chunk ({@code choices: []}) when the client asked for {@code stream_options.include_usage}, then
 * {@code data: [DONE]}. A stream that ends before any {@code finishReason}, or an event that is not valid JSON, ends
 * the client's stream with an error event instead; no exception leaves this class for bad input.
 *
 * <p>Text literals are copied into the chunks as Gemini escaped them; the parse state is reused across events.
 *
 * <p>Thread-safety: none; one instance per streamed response, confined to its event loop.
 */
public final class GeminiStreamTranslator implements SseEventFramer.RewritingVisitor {
    private final ByteBufAllocator alloc;
    private final long created;
    private final ChunkWriter chunks;
    private final String model;
    private final boolean includeUsage;
    private final String exceptionName;
    private final UsageMetadata usage = new UsageMetadata();
    private final ResponseReader event = new ResponseReader(usage);
    private final EventBytes bytes = new EventBytes();
    private String responseId = "";
    private int toolCalls;
    private boolean started;
    private boolean finished;
    private boolean failed;

    /**
     * @param alloc allocates the translated events
     * @param created the {@code created} time of every chunk, epoch seconds
     * @param model the model the chunks report when Gemini's events name none (the deployment's)
     * @param includeUsage whether the client asked for {@code stream_options.include_usage}
     * @param exceptionName {@code Gemini} or {@code VertexAI}, for error messages
     */
    public GeminiStreamTranslator(ByteBufAllocator alloc, long created, String model, boolean includeUsage,
            String exceptionName) {
        this.alloc = requireNonNull(alloc, "alloc");
        this.created = created;
        this.chunks = new ChunkWriter(alloc, created);
        this.model = requireNonNull(model, "model");
        this.includeUsage = includeUsage;
        this.exceptionName = requireNonNull(exceptionName, "exceptionName");
    }

    /**
     * Replaces one Gemini event by its OpenAI events (possibly none). Never throws on bad input.
     *
     * @param data the event's data at {@code [index, index + length)}; not taken
     * @param out takes the translated events
     * @return always {@link Decision#REPLACE}: Gemini's own bytes never reach the client
     */
    @Override
    public Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
        if (failed) {
            return Decision.REPLACE;
        }
        if (!parse(data, index, length)) {
            fail(out, 500, "Invalid event in the stream: "
                    + data.toString(index, Math.min(length, 200), StandardCharsets.UTF_8));
            return Decision.REPLACE;
        }
        GoogleError error = event.error;
        if (error != null) {
            fail(out, error.code(), error.message());
            return Decision.REPLACE;
        }
        if (!started) {
            started = true;
            responseId = event.responseId.isEmpty() ? "chatcmpl-gemini-" + created : event.responseId;
            chunks.start(responseId, event.modelVersion.isEmpty() ? model : event.modelVersion);
            event.readIds = false;
            out.emit(chunks.role(0));
        }
        for (int c = 0; c < event.candidateCount(); c++) {
            emitCandidate(out, event.candidate(c));
        }
        if (event.candidateCount() == 0 && event.blockReason != null) {
            finished = true;
            out.emit(chunks.finish(0, "content_filter"));
        }
        return Decision.REPLACE;
    }

    /**
     * The events that close the client's stream once the provider's has ended: the usage chunk when asked for and
     * {@code data: [DONE]}; or an error event when the provider's stream ended before a {@code finishReason}; or
     * {@code null} after an error event.
     *
     * @return a new buffer owned by the caller, or {@code null}
     */
    public @Nullable ByteBuf finish() {
        if (failed) {
            return null;
        }
        if (!finished) {
            failed = true;
            String source = exceptionName.equals("VertexAI") ? "Vertex AI" : exceptionName;
            return GeminiErrors.event(alloc, 500, "The stream from " + source + " ended before a finishReason",
                    exceptionName);
        }
        return chunks.close(null, includeUsage ? usage::writeTo : null);
    }

    /** The usage reported so far, or {@code null} when no event carried any. */
    public @Nullable Usage usage() {
        return usage.seen ? usage.toUsage() : null;
    }

    private void emitCandidate(SseEventFramer.Emitter out, ResponseReader.Candidate candidate) {
        boolean blocked = FinishReasons.isBlocked(candidate.finishReason);
        for (int i = 0; !blocked && i < candidate.partCount; i++) {
            ResponseReader.PartView part = candidate.part(i);
            switch (part.kind) {
                case ResponseReader.TEXT, ResponseReader.THOUGHT -> {
                    if (!part.text.isEmpty()) {
                        out.emit(part.kind == ResponseReader.TEXT ? chunks.content(candidate.index, part.text)
                                : chunks.reasoning(candidate.index, part.text));
                    }
                }
                default -> out.emit(toolChunk(candidate.index, part));
            }
        }
        String reason = candidate.finishReason;
        if (reason != null) {
            finished = true;
            boolean toolStop = toolCalls > 0 && !blocked && !reason.equals("MAX_TOKENS");
            out.emit(chunks.finish(candidate.index, toolStop ? "tool_calls" : FinishReasons.finishReason(reason)));
        }
    }

    private ByteBuf toolChunk(int choice, ResponseReader.PartView part) {
        String id = GeminiResponses.toolCallId(responseId, toolCalls, part.signature);
        return chunks.toolCall(choice, toolCalls++, id, part.name, part.args);
    }

    private void fail(SseEventFramer.Emitter out, int providerStatus, String message) {
        failed = true;
        out.emit(GeminiErrors.event(alloc, providerStatus, message, exceptionName));
    }

    /** Parses the event into {@link #event}; false when it is not one JSON object. */
    private boolean parse(ByteBuf data, int index, int length) {
        bytes.of(data, index, length);
        byte[] array = bytes.array();
        int offset = bytes.offset();
        event.reset(array, offset);
        try (JsonParser p = JsonInput.JSON.createParser(ObjectReadContext.empty(), array, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            event.read(p);
            return p.nextToken() == null;
        } catch (JacksonException e) {
            return false;
        }
    }

    /** The provider's comments and unfinished lines are not OpenAI events: they are dropped. */
    @Override
    public boolean keepsOtherEvents() {
        return false;
    }
}
