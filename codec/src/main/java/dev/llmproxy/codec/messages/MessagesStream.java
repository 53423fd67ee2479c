package dev.llmproxy.codec.messages;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.JsonText;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Translates an OpenAI {@code chat.completion.chunk} stream, one event's data at a time, into Anthropic's Messages
 * stream (provider spec, section 2.4, and Anthropic's "Streaming Messages"):
 *
 * <pre>
 * message_start, content_block_start (block 0), ping, content_block_delta..., content_block_stop,
 * [content_block_start (block 1), content_block_delta..., content_block_stop]..., message_delta, message_stop
 * </pre>
 *
 * <ul>
 *   <li>{@code message_start} on the first chunk, with zero usage (OpenAI reports usage only at the end);
 *   <li>a block opens on the first delta of its kind: {@code reasoning_content} → {@code thinking}, {@code content} →
 *       {@code text}, a tool call → {@code tool_use} (a new call index or a new call id closes the previous block;
 *       the name is the one the client declared, see {@link ToolNames}); a signature in {@code thinking_blocks} →
 *       a {@code signature_delta} of the thinking block, a redacted thinking block → a {@code redacted_thinking}
 *       block of its own (so that a client can send signed thinking back in its next turn);
 *       a chunk carrying several kinds is split in the order thinking, text, tools; {@code ping} follows the first
 *       {@code content_block_start}, where Anthropic sends it;
 *   <li>deltas: {@code thinking_delta}, {@code signature_delta}, {@code text_delta}, {@code input_json_delta} (the
 *       argument fragments as they arrive); empty deltas are not sent;
 *   <li>the usage's cache reads ({@code cache_read_input_tokens}, else {@code prompt_tokens_details.cached_tokens})
 *       and writes ({@code cache_creation_input_tokens}) are reported apart from {@code input_tokens};
 *   <li>the finish chunk closes the open block; {@code message_delta} (stop reason, usage) and {@code message_stop}
 *       follow as soon as the usage is known: in the same chunk, in the usage-only chunk that the request asked for,
 *       at {@code [DONE]}, or when the stream ends;
 *   <li>an error chunk, an invalid event, or a stream that ends before its finish chunk → an {@code error} event, and
 *       nothing after it.
 * </ul>
 *
 * Every call returns the events its input produced at once (nothing is held back beyond the closing events), so a
 * translated token leaves in the read cycle it arrived in.
 *
 * <p>Ownership: every buffer returned is owned by the caller. Nothing is held between calls.
 *
 * <p>Thread-safety: none; one instance per streamed response, confined to its event loop.
 */
public final class MessagesStream {
    private static final int NONE = 0;
    private static final int TEXT = 1;
    private static final int THINKING = 2;
    private static final int TOOL = 3;
    private static final int REDACTED = 4;

    private static final byte[] MESSAGE_START_HEAD = ascii("event: message_start\ndata: {\"type\":\"message_start\","
            + "\"message\":{\"id\":");
    private static final byte[] MESSAGE_START_MODEL = ascii(",\"type\":\"message\",\"role\":\"assistant\","
            + "\"content\":[],\"model\":");
    private static final byte[] MESSAGE_START_TAIL = ascii(",\"stop_reason\":null,\"stop_sequence\":null,"
            + "\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}\n\n");
    private static final byte[] BLOCK_START = ascii("event: content_block_start\ndata: {\"type\":\"content_block_start\","
            + "\"index\":");
    private static final byte[] TEXT_BLOCK = ascii(",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
    private static final byte[] THINKING_BLOCK =
            ascii(",\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n");
    private static final byte[] TOOL_BLOCK_ID = ascii(",\"content_block\":{\"type\":\"tool_use\",\"id\":");
    private static final byte[] TOOL_BLOCK_NAME = ascii(",\"name\":");
    private static final byte[] TOOL_BLOCK_TAIL = ascii(",\"input\":{}}}\n\n");
    private static final byte[] REDACTED_BLOCK = ascii(",\"content_block\":{\"type\":\"redacted_thinking\",\"data\":");
    private static final byte[] REDACTED_BLOCK_TAIL = ascii("}}\n\n");
    private static final byte[] PING = ascii("event: ping\ndata: {\"type\":\"ping\"}\n\n");
    private static final byte[] DELTA = ascii("event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
            + "\"index\":");
    private static final byte[] TEXT_DELTA = ascii(",\"delta\":{\"type\":\"text_delta\",\"text\":");
    private static final byte[] THINKING_DELTA = ascii(",\"delta\":{\"type\":\"thinking_delta\",\"thinking\":");
    private static final byte[] SIGNATURE_DELTA = ascii(",\"delta\":{\"type\":\"signature_delta\",\"signature\":");
    private static final byte[] JSON_DELTA = ascii(",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":");
    private static final byte[] DELTA_TAIL = ascii("}}\n\n");
    private static final byte[] BLOCK_STOP = ascii("event: content_block_stop\ndata: {\"type\":\"content_block_stop\","
            + "\"index\":");
    private static final byte[] EVENT_TAIL = ascii("}\n\n");
    private static final byte[] MESSAGE_DELTA = ascii("event: message_delta\ndata: {\"type\":\"message_delta\","
            + "\"delta\":{\"stop_reason\":");
    private static final byte[] MESSAGE_DELTA_USAGE = ascii(",\"stop_sequence\":null},\"usage\":{\"input_tokens\":");
    private static final byte[] OUTPUT_TOKENS = ascii(",\"output_tokens\":");
    private static final byte[] CACHE_READ = ascii(",\"cache_read_input_tokens\":");
    private static final byte[] CACHE_CREATION = ascii(",\"cache_creation_input_tokens\":");
    private static final byte[] MESSAGE_DELTA_TAIL = ascii("}}\n\n");
    private static final byte[] MESSAGE_STOP = ascii("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");

    private final ByteBufAllocator alloc;
    private final ToolNames toolNames;
    private final Chunk chunk = new Chunk();
    private boolean started;
    private boolean pinged;
    private boolean done;
    private int block = NONE;
    private int blockIndex = -1;
    private int toolIndex = -1;
    private @Nullable String toolId;
    private @Nullable String stopReason;
    private boolean usageSeen;
    private long promptTokens;
    private long completionTokens;
    private long cachedTokens;
    private long cacheCreationTokens;

    /** A stream whose request shortened no tool name. */
    public MessagesStream(ByteBufAllocator alloc) {
        this(alloc, ToolNames.NONE);
    }

    /** @param toolNames the tool names the request's translation shortened */
    public MessagesStream(ByteBufAllocator alloc, ToolNames toolNames) {
        this.alloc = alloc;
        this.toolNames = toolNames;
    }

    /**
     * Translates the data of one event of the OpenAI stream.
     *
     * @param data holds the event's data at {@code [index, index + length)}; not taken, indexes unchanged
     * @return the Anthropic events it produced (possibly none: an empty buffer), owned by the caller
     */
    public ByteBuf onChunk(ByteBuf data, int index, int length) {
        ByteBuf out = alloc.buffer(length + 160);
        try {
            if (done) {
                return out;
            }
            if (SseEvents.isDone(data, index, length)) {
                end(out);
                return out;
            }
            if (!chunk.read(data, index, length)) {
                error(out, "api_error", "The provider sent an invalid stream event");
                return out;
            }
            if (chunk.errorMessage != null) {
                error(out, anthropicType(chunk.errorType), chunk.errorMessage);
                return out;
            }
            translate(out);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /**
     * Translates complete OpenAI events already framed ({@code data: ...} lines, each event ended by a blank line),
     * as a translator into the OpenAI shape writes them.
     *
     * @param framed not taken, indexes unchanged
     * @return the Anthropic events, owned by the caller
     */
    public ByteBuf onEvents(ByteBuf framed) {
        ByteBuf out = alloc.buffer(framed.readableBytes() + 64);
        try {
            SseEvents.forEachDataLine(framed, (buf, index, length) -> {
                ByteBuf events = onChunk(buf, index, length);
                out.writeBytes(events);
                events.release();
            });
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /**
     * The end of the provider's stream: the closing events if they are still due, or an {@code error} event when the
     * stream ended before its finish chunk.
     *
     * @return the events, or {@code null} when nothing is due; owned by the caller
     */
    public @Nullable ByteBuf finish() {
        if (done) {
            return null;
        }
        ByteBuf out = alloc.buffer(256);
        if (stopReason == null) {
            error(out, "api_error", "The provider's stream ended before the response was complete");
        } else {
            end(out);
        }
        return out;
    }

    /** Whether the stream is over: {@code message_stop} or an {@code error} event was produced. */
    public boolean isDone() {
        return done;
    }

    /** The usage the provider reported, once it did (prompt tokens include cached ones), else {@code null}. */
    public @Nullable Usage usage() {
        return usageSeen ? Usage.of(promptTokens, completionTokens) : null;
    }

    private void translate(ByteBuf out) {
        if (!started) {
            started = true;
            out.writeBytes(MESSAGE_START_HEAD);
            JsonText.writeString(out, "msg_" + (chunk.id != null ? chunk.id : ""));
            out.writeBytes(MESSAGE_START_MODEL);
            JsonText.writeString(out, chunk.model != null ? chunk.model : "");
            out.writeBytes(MESSAGE_START_TAIL);
        }
        if (stopReason == null) {
            if (chunk.reasoning != null && !chunk.reasoning.isEmpty()) {
                open(out, THINKING, -1, null, null);
                delta(out, THINKING_DELTA, chunk.reasoning);
            }
            if (chunk.signature != null && !chunk.signature.isEmpty()) {
                open(out, THINKING, -1, null, null);
                delta(out, SIGNATURE_DELTA, chunk.signature);
            }
            for (String data : chunk.redacted) {
                open(out, REDACTED, -1, null, data);
            }
            if (chunk.content != null && !chunk.content.isEmpty()) {
                open(out, TEXT, -1, null, null);
                delta(out, TEXT_DELTA, chunk.content);
            }
            for (ToolDelta tool : chunk.tools) {
                boolean newCall = block != TOOL || tool.index != toolIndex
                        || tool.id != null && !tool.id.isEmpty() && !tool.id.equals(toolId);
                if (newCall) {
                    closeBlock(out);
                    open(out, TOOL, tool.index, tool.id, toolNames.original(tool.name));
                }
                if (tool.arguments != null && !tool.arguments.isEmpty()) {
                    delta(out, JSON_DELTA, tool.arguments);
                }
            }
            if (chunk.finishReason != null) {
                closeBlock(out);
                stopReason = stopReason(chunk.finishReason);
            }
        }
        if (chunk.hasUsage) {
            usageSeen = true;
            promptTokens = chunk.promptTokens;
            completionTokens = chunk.completionTokens;
            cachedTokens = chunk.cacheReadTokens >= 0 ? chunk.cacheReadTokens : chunk.cachedTokens;
            cacheCreationTokens = chunk.cacheCreationTokens;
        }
        if (stopReason != null && usageSeen) {
            end(out);
        }
    }

    /** Opens a block; {@code name} is a tool's name, or the data of a redacted thinking block. */
    private void open(ByteBuf out, int type, int tool, @Nullable String id, @Nullable String name) {
        if (block == type && type != TOOL && type != REDACTED) {
            return;
        }
        closeBlock(out);
        block = type;
        toolIndex = tool;
        toolId = id;
        blockIndex++;
        out.writeBytes(BLOCK_START);
        JsonText.writeLong(out, blockIndex);
        if (type == TEXT) {
            out.writeBytes(TEXT_BLOCK);
        } else if (type == THINKING) {
            out.writeBytes(THINKING_BLOCK);
        } else if (type == REDACTED) {
            out.writeBytes(REDACTED_BLOCK);
            JsonText.writeString(out, name != null ? name : "");
            out.writeBytes(REDACTED_BLOCK_TAIL);
        } else {
            out.writeBytes(TOOL_BLOCK_ID);
            JsonText.writeString(out, id != null ? id : "");
            out.writeBytes(TOOL_BLOCK_NAME);
            JsonText.writeString(out, name != null ? name : "");
            out.writeBytes(TOOL_BLOCK_TAIL);
        }
        if (!pinged) {
            pinged = true;
            out.writeBytes(PING);
        }
    }

    private void delta(ByteBuf out, byte[] kind, String text) {
        out.writeBytes(DELTA);
        JsonText.writeLong(out, blockIndex);
        out.writeBytes(kind);
        JsonText.writeString(out, text);
        out.writeBytes(DELTA_TAIL);
    }

    private void closeBlock(ByteBuf out) {
        if (block == NONE) {
            return;
        }
        out.writeBytes(BLOCK_STOP);
        JsonText.writeLong(out, blockIndex);
        out.writeBytes(EVENT_TAIL);
        block = NONE;
        toolIndex = -1;
        toolId = null;
    }

    /** {@code message_delta} and {@code message_stop}; the stream is done after them. */
    private void end(ByteBuf out) {
        if (!started) {
            error(out, "api_error", "The provider's stream ended before the response was complete");
            return;
        }
        closeBlock(out);
        out.writeBytes(MESSAGE_DELTA);
        JsonText.writeString(out, stopReason != null ? stopReason : "end_turn");
        out.writeBytes(MESSAGE_DELTA_USAGE);
        long cached = Math.max(0, cachedTokens);
        long creation = Math.max(0, cacheCreationTokens);
        JsonText.writeLong(out, Math.max(0, promptTokens - cached - creation));
        out.writeBytes(OUTPUT_TOKENS);
        JsonText.writeLong(out, Math.max(0, completionTokens));
        if (creation > 0) {
            out.writeBytes(CACHE_CREATION);
            JsonText.writeLong(out, creation);
        }
        if (cached > 0) {
            out.writeBytes(CACHE_READ);
            JsonText.writeLong(out, cached);
        }
        out.writeBytes(MESSAGE_DELTA_TAIL);
        out.writeBytes(MESSAGE_STOP);
        done = true;
    }

    private void error(ByteBuf out, String type, String message) {
        MessagesErrors.writeEvent(out, type, message);
        done = true;
    }

    /** OpenAI's {@code finish_reason} as Anthropic's {@code stop_reason}. */
    static String stopReason(String finishReason) {
        return switch (finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
    }

    /** An error type of an OpenAI-shaped error as Anthropic's: the names both use are kept, others are API errors. */
    static String anthropicType(@Nullable String type) {
        if (type == null) {
            return "api_error";
        }
        return switch (type) {
            case "invalid_request_error", "authentication_error", "permission_error", "not_found_error",
                    "rate_limit_error", "overloaded_error", "timeout_error" -> type;
            default -> "api_error";
        };
    }


    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** One tool call fragment of a chunk. */
    private record ToolDelta(int index, @Nullable String id, @Nullable String name, @Nullable String arguments) {
    }

    /** The fields of one chunk the translation reads; reused from chunk to chunk. */
    private static final class Chunk {
        @Nullable String id;
        @Nullable String model;
        @Nullable String content;
        @Nullable String reasoning;
        /** The signature of a thinking block, from {@code thinking_blocks}. */
        @Nullable String signature;
        /** The data of redacted thinking blocks, from {@code thinking_blocks}. */
        final List<String> redacted = new ArrayList<>(0);
        @Nullable String finishReason;
        @Nullable String errorMessage;
        @Nullable String errorType;
        final List<ToolDelta> tools = new ArrayList<>(2);
        boolean hasUsage;
        long promptTokens;
        long completionTokens;
        long cachedTokens;
        /** The explicit {@code cache_read_input_tokens}, or -1 when absent. */
        long cacheReadTokens;
        long cacheCreationTokens;

        /** Reads a chunk; {@code false} when it is not a JSON object. */
        boolean read(ByteBuf data, int index, int length) {
            id = null;
            model = null;
            content = null;
            reasoning = null;
            signature = null;
            redacted.clear();
            finishReason = null;
            errorMessage = null;
            errorType = null;
            tools.clear();
            hasUsage = false;
            promptTokens = 0;
            completionTokens = 0;
            cachedTokens = 0;
            cacheReadTokens = -1;
            cacheCreationTokens = 0;
            try (JsonParser p = JsonInput.of(data, index, length).parser()) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return false;
                }
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (name) {
                        case "id" -> id = stringOrNull(p, value);
                        case "model" -> model = stringOrNull(p, value);
                        case "choices" -> readChoices(p, value);
                        case "usage" -> readUsage(p, value);
                        case "error" -> readError(p, value);
                        default -> p.skipChildren();
                    }
                }
                return p.nextToken() == null;
            } catch (JacksonException e) {
                return false;
            }
        }

        private void readChoices(JsonParser p, JsonToken value) {
            if (value != JsonToken.START_ARRAY) {
                p.skipChildren();
                return;
            }
            boolean first = true;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (!first || p.currentToken() != JsonToken.START_OBJECT) {
                    // Only the first choice is translated: Anthropic's messages have one.
                    p.skipChildren();
                    continue;
                }
                first = false;
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    JsonToken token = p.nextToken();
                    if ("delta".equals(name) && token == JsonToken.START_OBJECT) {
                        readDelta(p);
                    } else if ("finish_reason".equals(name)) {
                        finishReason = stringOrNull(p, token);
                    } else {
                        p.skipChildren();
                    }
                }
            }
        }

        private void readDelta(JsonParser p) {
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken token = p.nextToken();
                switch (name) {
                    case "content" -> content = stringOrNull(p, token);
                    case "reasoning_content", "reasoning" -> {
                        String text = stringOrNull(p, token);
                        if (text != null) {
                            reasoning = text;
                        }
                    }
                    case "tool_calls" -> readToolCalls(p, token);
                    case "thinking_blocks" -> readThinkingBlocks(p, token);
                    default -> p.skipChildren();
                }
            }
        }

        /**
         * Reads {@code thinking_blocks}: signatures and redacted data. Their thinking text is the
         * {@code reasoning_content} of the same delta (LiteLLM's stream shape), read from the blocks only when that
         * is absent.
         */
        private void readThinkingBlocks(JsonParser p, JsonToken token) {
            if (token != JsonToken.START_ARRAY) {
                p.skipChildren();
                return;
            }
            StringBuilder thinking = null;
            while (p.nextToken() == JsonToken.START_OBJECT) {
                String type = null;
                String text = null;
                String blockSignature = null;
                String data = null;
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (name) {
                        case "type" -> type = stringOrNull(p, value);
                        case "thinking" -> text = stringOrNull(p, value);
                        case "signature" -> blockSignature = stringOrNull(p, value);
                        case "data" -> data = stringOrNull(p, value);
                        default -> p.skipChildren();
                    }
                }
                if ("redacted_thinking".equals(type) && data != null) {
                    redacted.add(data);
                } else if ("thinking".equals(type)) {
                    if (text != null && !text.isEmpty()) {
                        thinking = thinking == null ? new StringBuilder(text) : thinking.append(text);
                    }
                    if (blockSignature != null && !blockSignature.isEmpty()) {
                        signature = blockSignature;
                    }
                }
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
                p.skipChildren();
            }
            if (reasoning == null && thinking != null) {
                reasoning = thinking.toString();
            }
        }

        private void readToolCalls(JsonParser p, JsonToken token) {
            if (token != JsonToken.START_ARRAY) {
                p.skipChildren();
                return;
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                int callIndex = tools.size();
                String callId = null;
                String callName = null;
                String arguments = null;
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if ("index".equals(name) && value == JsonToken.VALUE_NUMBER_INT) {
                        callIndex = p.getIntValue();
                    } else if ("id".equals(name)) {
                        callId = stringOrNull(p, value);
                    } else if ("function".equals(name) && value == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                            String field = p.currentName();
                            JsonToken fieldValue = p.nextToken();
                            if ("name".equals(field)) {
                                callName = stringOrNull(p, fieldValue);
                            } else if ("arguments".equals(field)) {
                                arguments = stringOrNull(p, fieldValue);
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                tools.add(new ToolDelta(callIndex, callId, callName, arguments));
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
                p.skipChildren();
            }
        }

        private void readUsage(JsonParser p, JsonToken token) {
            if (token != JsonToken.START_OBJECT) {
                p.skipChildren();
                return;
            }
            hasUsage = true;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "prompt_tokens" -> promptTokens = count(p, value);
                    case "completion_tokens" -> completionTokens = count(p, value);
                    case "cache_read_input_tokens" -> cacheReadTokens = count(p, value);
                    case "cache_creation_input_tokens" -> cacheCreationTokens = count(p, value);
                    case "prompt_tokens_details" -> {
                        if (value != JsonToken.START_OBJECT) {
                            p.skipChildren();
                            break;
                        }
                        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                            String field = p.currentName();
                            JsonToken fieldValue = p.nextToken();
                            if ("cached_tokens".equals(field)) {
                                cachedTokens = count(p, fieldValue);
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        }

        private void readError(JsonParser p, JsonToken token) {
            if (token == JsonToken.VALUE_STRING) {
                errorMessage = p.getString();
                return;
            }
            if (token != JsonToken.START_OBJECT) {
                p.skipChildren();
                return;
            }
            errorMessage = "The provider reported an error";
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("message".equals(name) && value == JsonToken.VALUE_STRING) {
                    errorMessage = p.getString();
                } else if ("type".equals(name) && value == JsonToken.VALUE_STRING) {
                    errorType = p.getString();
                } else {
                    p.skipChildren();
                }
            }
        }

        private static long count(JsonParser p, JsonToken token) {
            if (token == JsonToken.VALUE_NUMBER_INT) {
                long value = p.getLongValue();
                return Math.max(0, value);
            }
            p.skipChildren();
            return 0;
        }

        private static @Nullable String stringOrNull(JsonParser p, JsonToken token) {
            if (token == JsonToken.VALUE_STRING) {
                return p.getString();
            }
            p.skipChildren();
            return null;
        }
    }
}
