package dev.llmproxy.codec.anthropic;

import static dev.llmproxy.codec.translate.ChunkWriter.ascii;
import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.JsonLiteral;
import dev.llmproxy.codec.internal.JsonText;
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
 * Translates an Anthropic Messages stream, one SSE event at a time, into OpenAI {@code chat.completion.chunk} events
 * (provider spec, section 1.5). Used as the {@link SseEventFramer}'s visitor: every Anthropic event is replaced by
 * zero, one or more OpenAI events, written as it arrives.
 *
 * <table>
 *   <caption>Events</caption>
 *   <tr><th>Anthropic</th><th>OpenAI</th></tr>
 *   <tr><td>{@code message_start}</td><td>the first chunk, {@code delta: {role: "assistant", content: ""}}; the
 *       message's id and model are every chunk's; its usage gives the prompt tokens</td></tr>
 *   <tr><td>{@code content_block_start} text / thinking</td><td>its text, if any, as {@code content} /
 *       {@code reasoning_content}; a {@code redacted_thinking} block as {@code thinking_blocks: [{type:
 *       "redacted_thinking", data}]}</td></tr>
 *   <tr><td>{@code content_block_start} tool_use</td><td>{@code tool_calls: [{index: k, id, type: "function",
 *       function: {name, arguments: ""}}]}, k counting tool calls from 0</td></tr>
 *   <tr><td>{@code content_block_delta}</td><td>{@code text_delta} → {@code content}, {@code thinking_delta} →
 *       {@code reasoning_content} plus {@code thinking_blocks: [{type: "thinking", thinking}]},
 *       {@code signature_delta} → {@code thinking_blocks: [{type: "thinking", thinking: "", signature}]} (so that a
 *       client can send the signed block back with its next turn, as LiteLLM streams it), {@code input_json_delta} →
 *       the tool call's {@code arguments}; citations are dropped</td></tr>
 *   <tr><td>{@code content_block_stop}</td><td>{@code arguments: "{}"} for a tool call that got none, else
 *       nothing</td></tr>
 *   <tr><td>{@code message_delta}</td><td>the chunk with {@code finish_reason}; its usage gives the completion
 *       tokens</td></tr>
 *   <tr><td>{@code message_stop}, {@code ping}, unknown types</td><td>nothing</td></tr>
 *   <tr><td>{@code error}</td><td>an OpenAI error event; the stream ends there</td></tr>
 * </table>
 *
 * <p>After the provider's stream ends, {@link #finish} gives the closing events: the usage chunk
 * ({@code choices: []}) when the client asked for {@code stream_options.include_usage}, then {@code data: [DONE]}. A
 * stream that ends before {@code message_stop}, or an event that is not valid JSON, ends the client's stream with an
 * error event instead; no exception leaves this class for bad input.
 *
 * <p>A {@value AnthropicRequestEncoder#JSON_TOOL_NAME} tool call (JSON mode) is streamed as {@code content}.
 *
 * <p>Per event, one Jackson parser reads the data; text, thinking and argument strings are not decoded: their JSON
 * string literals are copied into the OpenAI chunk as Anthropic wrote them (escapes included), and the event types are
 * matched against constants, so a text delta allocates only its parser and its output buffer.
 *
 * <p>Thread-safety: none; one instance per streamed response, confined to its event loop.
 */
public final class AnthropicStreamTranslator implements SseEventFramer.RewritingVisitor {
    private static final byte[] USAGE = ascii("{\"prompt_tokens\":");
    private static final byte[] COMPLETION_TOKENS = ascii(",\"completion_tokens\":");
    private static final byte[] TOTAL_TOKENS = ascii(",\"total_tokens\":");
    private static final byte[] CACHED_TOKENS = ascii(",\"prompt_tokens_details\":{\"cached_tokens\":");
    private static final byte[] CACHE_CREATION = ascii("},\"cache_creation_input_tokens\":");
    private static final byte[] CACHE_READ = ascii(",\"cache_read_input_tokens\":");

    private static final int BLOCK_NONE = 0;
    private static final int BLOCK_TEXT = 1;
    private static final int BLOCK_TOOL = 2;
    private static final int BLOCK_JSON_TOOL = 3;
    private static final int BLOCK_THINKING = 4;

    private final ChunkWriter chunks;
    private final boolean includeUsage;
    private final TokenCounts counts = new TokenCounts();
    private final Event event = new Event();
    private final EventBytes bytes = new EventBytes();
    private int toolIndex = -1;
    private int block = BLOCK_NONE;
    private boolean blockHasArguments;
    private boolean sawJsonTool;
    private boolean sawOtherTool;
    private boolean finishSent;
    private boolean stopped;
    private boolean failed;

    /**
     * @param alloc allocates the translated events
     * @param created the {@code created} time of every chunk, epoch seconds
     * @param includeUsage whether the client asked for {@code stream_options.include_usage}
     */
    public AnthropicStreamTranslator(ByteBufAllocator alloc, long created, boolean includeUsage) {
        this.chunks = new ChunkWriter(requireNonNull(alloc, "alloc"), created);
        this.includeUsage = includeUsage;
    }

    /**
     * Replaces one Anthropic event by its OpenAI events (possibly none). Never throws on bad input.
     *
     * @param data the event's data at {@code [index, index + length)}; not taken
     * @param out takes the translated events
     * @return always {@link Decision#REPLACE}: Anthropic's own bytes never reach the client
     */
    @Override
    public Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
        if (failed || stopped) {
            return Decision.REPLACE;
        }
        if (!parse(data, index, length)) {
            fail(out, "api_error", "Invalid event in the stream: "
                    + data.toString(index, Math.min(length, 200), StandardCharsets.UTF_8));
            return Decision.REPLACE;
        }
        switch (event.type) {
            case "message_start" -> {
                chunks.start(event.id, event.model);
                out.emit(chunks.role(0));
            }
            case "content_block_start" -> blockStart(out);
            case "content_block_delta" -> blockDelta(out);
            case "content_block_stop" -> blockStop(out);
            case "message_delta" -> {
                if (event.stopReason != null && !finishSent) {
                    out.emit(finishChunk(event.stopReason));
                }
            }
            case "message_stop" -> stopped = true;
            case "error" -> fail(out, event.errorType, event.errorMessage);
            default -> {
                // ping, and event types Anthropic may add (its versioning policy allows new ones): nothing to send.
            }
        }
        return Decision.REPLACE;
    }

    /**
     * The events that close the client's stream once the provider's has ended: the finish chunk if no
     * {@code message_delta} gave one, the usage chunk when asked for, and {@code data: [DONE]}; or an error event when
     * the provider's stream ended before {@code message_stop}; or {@code null} after an error event.
     *
     * @return a new buffer owned by the caller, or {@code null}
     */
    public @Nullable ByteBuf finish() {
        if (failed) {
            return null;
        }
        if (!stopped) {
            failed = true;
            return errorEvent("api_error", "The stream from Anthropic ended before message_stop", 500);
        }
        return chunks.close(finishSent ? null : finishChunk(null), includeUsage ? this::writeUsage : null);
    }

    /** The usage reported so far (prompt tokens from message_start, completion from message_delta), or null. */
    public @Nullable Usage usage() {
        return counts.seen ? counts.toUsage() : null;
    }

    private void blockStart(SseEventFramer.Emitter out) {
        blockHasArguments = false;
        switch (event.blockType) {
            case "text" -> {
                block = BLOCK_TEXT;
                emitText(out, event.text);
            }
            case "thinking" -> {
                block = BLOCK_THINKING;
                emitThinking(out, event.text);
            }
            case "redacted_thinking" -> {
                block = BLOCK_NONE;
                out.emit(chunks.redactedThinking(0, event.data));
            }
            case "tool_use" -> {
                if (event.name.equals(AnthropicRequestEncoder.JSON_TOOL_NAME)) {
                    block = BLOCK_JSON_TOOL;
                    sawJsonTool = true;
                    return;
                }
                block = BLOCK_TOOL;
                sawOtherTool = true;
                toolIndex++;
                out.emit(chunks.toolCall(0, toolIndex, event.id, event.name, (JsonLiteral) null));
            }
            default -> block = BLOCK_NONE;
        }
    }

    private void blockDelta(SseEventFramer.Emitter out) {
        switch (event.deltaType) {
            case "text_delta" -> emitText(out, event.text);
            case "thinking_delta" -> emitThinking(out, event.text);
            case "signature_delta" -> out.emit(chunks.signature(0, event.signature));
            case "input_json_delta" -> {
                if (block == BLOCK_JSON_TOOL) {
                    emitText(out, event.partialJson);
                } else if (block == BLOCK_TOOL && !event.partialJson.isEmpty()) {
                    blockHasArguments = true;
                    out.emit(chunks.toolArguments(0, toolIndex, event.partialJson));
                }
            }
            default -> {
                // citations_delta has no chat.completion.chunk form.
            }
        }
    }

    private void blockStop(SseEventFramer.Emitter out) {
        if (block == BLOCK_TOOL && !blockHasArguments) {
            out.emit(chunks.toolArguments(0, toolIndex, null));
        }
        block = BLOCK_NONE;
    }

    private void emitText(SseEventFramer.Emitter out, JsonLiteral text) {
        if (!text.isEmpty()) {
            out.emit(chunks.content(0, text));
        }
    }

    private void emitThinking(SseEventFramer.Emitter out, JsonLiteral text) {
        if (!text.isEmpty()) {
            out.emit(chunks.thinking(0, text));
        }
    }

    private ByteBuf finishChunk(@Nullable String stopReason) {
        finishSent = true;
        String reason = sawJsonTool && !sawOtherTool ? "stop" : StopReasons.finishReason(stopReason);
        return chunks.finish(0, reason);
    }

    private void writeUsage(ByteBuf out) {
        out.writeBytes(USAGE);
        long prompt = counts.promptTokens();
        JsonText.writeLong(out, prompt);
        out.writeBytes(COMPLETION_TOKENS);
        JsonText.writeLong(out, counts.output);
        out.writeBytes(TOTAL_TOKENS);
        JsonText.writeLong(out, prompt + counts.output);
        out.writeBytes(CACHED_TOKENS);
        JsonText.writeLong(out, counts.cacheRead);
        out.writeBytes(CACHE_CREATION);
        JsonText.writeLong(out, counts.cacheCreation);
        out.writeBytes(CACHE_READ);
        JsonText.writeLong(out, counts.cacheRead);
        out.writeByte('}');
    }

    private void fail(SseEventFramer.Emitter out, String type, String message) {
        failed = true;
        out.emit(errorEvent(type, message, AnthropicErrors.statusOf(type)));
    }

    private ByteBuf errorEvent(String type, String message, int providerStatus) {
        int status = AnthropicErrors.clientStatus(providerStatus, message + " " + type);
        return chunks.error(status, "AnthropicException - " + message, type);
    }

    /** Parses the event into {@link #event}; false when it is not a JSON object. */
    private boolean parse(ByteBuf data, int index, int length) {
        bytes.of(data, index, length);
        byte[] array = bytes.array();
        int offset = bytes.offset();
        event.reset(array, offset);
        try (JsonParser p = JsonInput.JSON.createParser(ObjectReadContext.empty(), array, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            event.read(p, counts);
            return p.nextToken() == null;
        } catch (JacksonException e) {
            return false;
        }
    }

    /** The fields of one Anthropic stream event that the translation reads; reused for every event. */
    private static final class Event {
        /** The event, block and delta types the translation acts on, most frequent first. */
        private static final String[] TYPES = {"content_block_delta", "text_delta", "input_json_delta",
            "thinking_delta", "content_block_start", "content_block_stop", "text", "tool_use", "thinking",
            "redacted_thinking", "signature_delta", "message_start", "message_delta", "message_stop", "message",
            "ping", "error"};

        /** The event's input and the offset parser locations are relative to. */
        byte[] array = new byte[0];
        int offset;
        String type = "";
        String id = "";
        String model = "";
        String blockType = "";
        String deltaType = "";
        String name = "";
        /** {@code text} or {@code thinking}: the JSON string literals are copied, never decoded. */
        final JsonLiteral text = new JsonLiteral();
        final JsonLiteral partialJson = new JsonLiteral();
        final JsonLiteral signature = new JsonLiteral();
        final JsonLiteral data = new JsonLiteral();
        @Nullable String stopReason;
        String errorType = "api_error";
        String errorMessage = "";

        void reset(byte[] input, int inputOffset) {
            array = input;
            offset = inputOffset;
            type = "";
            id = "";
            model = "";
            blockType = "";
            deltaType = "";
            name = "";
            text.clear();
            partialJson.clear();
            signature.clear();
            data.clear();
            stopReason = null;
            errorType = "api_error";
            errorMessage = "";
        }

        /** Reads the top-level object {@code p} is in; usage objects go straight into {@code counts}. */
        void read(JsonParser p, TokenCounts counts) {
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "type" -> type = knownType(p);
                    case "message" -> readObject(p, counts);
                    case "content_block" -> readObject(p, counts);
                    case "delta" -> readObject(p, counts);
                    case "usage" -> counts.read(p);
                    case "error" -> {
                        if (value == JsonToken.START_OBJECT) {
                            AnthropicErrors.Error error = AnthropicErrors.readError(p);
                            errorType = error.type();
                            errorMessage = error.message();
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        }

        /**
         * Reads a {@code message}, {@code content_block} or {@code delta} object. Their fields do not clash: the
         * object's {@code type} is the block or delta type (a message's is always "message"), and the rest are
         * distinct names.
         */
        private void readObject(JsonParser p, TokenCounts counts) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                return;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "type" -> {
                        String value = knownType(p);
                        if (value.endsWith("_delta")) {
                            deltaType = value;
                        } else {
                            blockType = value;
                        }
                    }
                    case "id" -> id = string(p, "");
                    case "model" -> model = string(p, "");
                    case "name" -> name = string(p, "");
                    case "text", "thinking" -> text.read(p, array, offset);
                    case "partial_json" -> partialJson.read(p, array, offset);
                    case "signature" -> signature.read(p, array, offset);
                    case "data" -> data.read(p, array, offset);
                    case "stop_reason" ->
                        stopReason = p.currentToken() == JsonToken.VALUE_STRING ? p.getString() : null;
                    case "usage" -> counts.read(p);
                    default -> p.skipChildren();
                }
            }
        }

        /**
         * The {@code type} value {@code p} is at, as one of the {@link #TYPES} constants, or {@code ""} for a type this
         * translation does not know (ignored, like Anthropic asks clients to). Allocates nothing.
         */
        private static String knownType(JsonParser p) {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                p.skipChildren();
                return "";
            }
            char[] chars = p.getStringCharacters();
            int start = p.getStringOffset();
            int length = p.getStringLength();
            for (String known : TYPES) {
                if (known.length() == length && matches(known, chars, start)) {
                    return known;
                }
            }
            return "";
        }

        private static boolean matches(String known, char[] chars, int start) {
            for (int i = 0; i < known.length(); i++) {
                if (known.charAt(i) != chars[start + i]) {
                    return false;
                }
            }
            return true;
        }

        private static String string(JsonParser p, String otherwise) {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                return p.getString();
            }
            p.skipChildren();
            return otherwise;
        }
    }

    /** The provider's comments and unfinished lines are not OpenAI events: they are dropped. */
    @Override
    public boolean keepsOtherEvents() {
        return false;
    }
}
