package dev.llmproxy.codec.gemini;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.JsonText;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer.Decision;
import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
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
    private static final byte[] DATA_ID = ascii("data: {\"id\":");
    private static final byte[] OBJECT = ascii(",\"object\":\"chat.completion.chunk\",\"created\":");
    private static final byte[] MODEL = ascii(",\"model\":");
    private static final byte[] CHOICES = ascii(",\"choices\":[");
    private static final byte[] INDEX = ascii("{\"index\":");
    private static final byte[] ROLE = ascii(",\"delta\":{\"role\":\"assistant\",\"content\":\"\"}");
    private static final byte[] CONTENT = ascii(",\"delta\":{\"content\":");
    private static final byte[] REASONING = ascii(",\"delta\":{\"reasoning_content\":");
    private static final byte[] TOOL_START = ascii(",\"delta\":{\"tool_calls\":[{\"index\":");
    private static final byte[] TOOL_ID = ascii(",\"id\":");
    private static final byte[] TOOL_NAME = ascii(",\"type\":\"function\",\"function\":{\"name\":");
    private static final byte[] TOOL_ARGS = ascii(",\"arguments\":");
    private static final byte[] TOOL_END = ascii("}}]}");
    private static final byte[] NOT_FINISHED = ascii(",\"logprobs\":null,\"finish_reason\":null}]}\n\n");
    private static final byte[] FINISH = ascii(",\"delta\":{},\"logprobs\":null,\"finish_reason\":");
    private static final byte[] FINISH_END = ascii("}]}\n\n");
    private static final byte[] USAGE = ascii("],\"usage\":");
    private static final byte[] USAGE_END = ascii("}\n\n");
    private static final byte[] DONE = ascii("data: [DONE]\n\n");

    private final ByteBufAllocator alloc;
    private final long created;
    private final String model;
    private final boolean includeUsage;
    private final String exceptionName;
    private final UsageMetadata usage = new UsageMetadata();
    private final ResponseReader event = new ResponseReader(usage);
    private byte[] chunkPrefix = new byte[0];
    private String responseId = "";
    private byte[] scratch = new byte[512];
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
            chunkPrefix = prefix(responseId, event.modelVersion.isEmpty() ? model : event.modelVersion);
            event.readIds = false;
            out.emit(startChunk(0, ROLE, 0).writeBytes(NOT_FINISHED));
        }
        for (int c = 0; c < event.candidateCount(); c++) {
            emitCandidate(out, event.candidate(c));
        }
        if (event.candidateCount() == 0 && event.blockReason != null) {
            finished = true;
            out.emit(finishChunk(0, "content_filter"));
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
        ByteBuf out = alloc.buffer(chunkPrefix.length + 256);
        if (includeUsage) {
            out.writeBytes(chunkPrefix).writeBytes(USAGE);
            usage.writeTo(out);
            out.writeBytes(USAGE_END);
        }
        return out.writeBytes(DONE);
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
                        ByteBuf chunk = startChunk(candidate.index,
                                part.kind == ResponseReader.TEXT ? CONTENT : REASONING, part.text.length());
                        part.text.writeTo(chunk);
                        out.emit(chunk.writeByte('}').writeBytes(NOT_FINISHED));
                    }
                }
                default -> out.emit(toolChunk(candidate.index, part));
            }
        }
        String reason = candidate.finishReason;
        if (reason != null) {
            finished = true;
            boolean toolStop = toolCalls > 0 && !blocked && !reason.equals("MAX_TOKENS");
            out.emit(finishChunk(candidate.index, toolStop ? "tool_calls" : FinishReasons.finishReason(reason)));
        }
    }

    private ByteBuf toolChunk(int choice, ResponseReader.PartView part) {
        String id = GeminiResponses.toolCallId(responseId, toolCalls, part.signature);
        ByteBuf chunk = startChunk(choice, TOOL_START, 96 + id.length() + part.name.length() + part.args.length() * 2);
        JsonText.writeLong(chunk, toolCalls++);
        chunk.writeBytes(TOOL_ID);
        JsonText.writeString(chunk, id);
        chunk.writeBytes(TOOL_NAME);
        JsonText.writeString(chunk, part.name);
        chunk.writeBytes(TOOL_ARGS);
        JsonText.writeString(chunk, part.args);
        return chunk.writeBytes(TOOL_END).writeBytes(NOT_FINISHED);
    }

    private ByteBuf finishChunk(int choice, String reason) {
        ByteBuf chunk = startChunk(choice, FINISH, 32);
        JsonText.writeString(chunk, reason);
        return chunk.writeBytes(FINISH_END);
    }

    private ByteBuf startChunk(int choice, byte[] delta, int extra) {
        ByteBuf chunk = alloc.buffer(chunkPrefix.length + delta.length + extra + NOT_FINISHED.length + 16)
                .writeBytes(chunkPrefix).writeBytes(INDEX);
        JsonText.writeLong(chunk, choice);
        return chunk.writeBytes(delta);
    }

    private void fail(SseEventFramer.Emitter out, int providerStatus, String message) {
        failed = true;
        out.emit(GeminiErrors.event(alloc, providerStatus, message, exceptionName));
    }

    private byte[] prefix(String id, String chunkModel) {
        ByteBuf buf = Unpooled.buffer(128 + id.length() + model.length());
        try {
            buf.writeBytes(DATA_ID);
            JsonText.writeString(buf, id);
            buf.writeBytes(OBJECT);
            JsonText.writeLong(buf, created);
            buf.writeBytes(MODEL);
            JsonText.writeString(buf, chunkModel);
            buf.writeBytes(CHOICES);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    /** Parses the event into {@link #event}; false when it is not one JSON object. */
    private boolean parse(ByteBuf data, int index, int length) {
        byte[] array;
        int offset;
        if (data.hasArray()) {
            array = data.array();
            offset = data.arrayOffset() + index;
        } else {
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, scratch.length * 2)];
            }
            data.getBytes(index, scratch, 0, length);
            array = scratch;
            offset = 0;
        }
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

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
