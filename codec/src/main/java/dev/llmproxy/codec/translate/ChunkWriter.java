package dev.llmproxy.codec.translate;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.internal.JsonLiteral;
import dev.llmproxy.codec.internal.JsonText;
import dev.llmproxy.codec.openai.OpenAiJson;
import dev.llmproxy.codec.sse.SseEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Writes the OpenAI {@code chat.completion.chunk} SSE events of one translated stream: every chunk starts with the
 * same {@code data: {"id":…,"object":"chat.completion.chunk","created":…,"model":…,"choices":[} prefix, fixed once
 * by {@link #start}, and the deltas are written straight into the event's buffer (text, reasoning and argument
 * strings copied as the provider escaped them). Also writes the end of the client's stream ({@link #close}: the
 * usage chunk when asked for, then {@code data: [DONE]}) and error events.
 *
 * <p>Every method returning a {@link ByteBuf} returns a new buffer from the allocator, owned by the caller.
 *
 * <p>Thread-safety: none; one instance per streamed response, confined to its event loop.
 */
public final class ChunkWriter {
    private static final byte[] DATA_ID = ascii("data: {\"id\":");
    private static final byte[] OBJECT = ascii(",\"object\":\"chat.completion.chunk\",\"created\":");
    private static final byte[] MODEL = ascii(",\"model\":");
    private static final byte[] CHOICES = ascii(",\"choices\":[");
    private static final byte[] INDEX = ascii("{\"index\":");
    private static final byte[] ROLE = ascii(",\"delta\":{\"role\":\"assistant\",\"content\":\"\"");
    private static final byte[] CONTENT = ascii(",\"delta\":{\"content\":");
    private static final byte[] REASONING = ascii(",\"delta\":{\"reasoning_content\":");
    private static final byte[] THINKING_BLOCK = ascii(",\"thinking_blocks\":[{\"type\":\"thinking\",\"thinking\":");
    private static final byte[] SIGNATURE = ascii(",\"delta\":{\"thinking_blocks\":[{\"type\":\"thinking\","
            + "\"thinking\":\"\",\"signature\":");
    private static final byte[] REDACTED = ascii(",\"delta\":{\"thinking_blocks\":[{\"type\":"
            + "\"redacted_thinking\",\"data\":");
    private static final byte[] BLOCKS_END = ascii("}]");
    private static final byte[] TOOL_START = ascii(",\"delta\":{\"tool_calls\":[{\"index\":");
    private static final byte[] TOOL_ID = ascii(",\"id\":");
    private static final byte[] TOOL_NAME = ascii(",\"type\":\"function\",\"function\":{\"name\":");
    private static final byte[] TOOL_ARGS = ascii(",\"arguments\":");
    private static final byte[] ARGS_ONLY = ascii(",\"function\":{\"arguments\":");
    private static final byte[] EMPTY_STRING = ascii("\"\"");
    private static final byte[] EMPTY_ARGUMENTS = ascii("\"{}\"");
    private static final byte[] TOOL_END = ascii("}}]}");
    private static final byte[] NOT_FINISHED = ascii(",\"logprobs\":null,\"finish_reason\":null}]}\n\n");
    private static final byte[] FINISH = ascii(",\"delta\":{},\"logprobs\":null,\"finish_reason\":");
    private static final byte[] FINISH_END = ascii("}]}\n\n");
    private static final byte[] USAGE = ascii("],\"usage\":");
    private static final byte[] USAGE_END = ascii("}\n\n");
    private static final byte[] DONE = ascii("data: [DONE]\n\n");

    private final ByteBufAllocator alloc;
    private final long created;
    private byte[] prefix;
    private boolean started;

    /**
     * @param alloc allocates the events
     * @param created the {@code created} time of every chunk, epoch seconds
     */
    public ChunkWriter(ByteBufAllocator alloc, long created) {
        this.alloc = requireNonNull(alloc, "alloc");
        this.created = created;
        this.prefix = prefix("", "");
    }

    /** Fixes the {@code id} and {@code model} of every chunk written from now on. */
    public void start(String id, String model) {
        prefix = prefix(id, model);
        started = true;
    }

    /** Whether {@link #start} was called. */
    public boolean isStarted() {
        return started;
    }

    public ByteBufAllocator alloc() {
        return alloc;
    }

    /** The first chunk: {@code delta: {role: "assistant", content: ""}}. */
    public ByteBuf role(int choice) {
        return end(begin(choice, ROLE, 0));
    }

    /** A {@code content} delta; {@code text} is a JSON string literal, written as it is. */
    public ByteBuf content(int choice, JsonLiteral text) {
        ByteBuf chunk = begin(choice, CONTENT, text.length());
        text.writeTo(chunk);
        return end(chunk);
    }

    /** A {@code content} delta of a decoded string. */
    public ByteBuf content(int choice, String text) {
        ByteBuf chunk = begin(choice, CONTENT, text.length() * 2 + 2);
        JsonText.writeString(chunk, text);
        return end(chunk);
    }

    /** A {@code reasoning_content} delta, without thinking blocks. */
    public ByteBuf reasoning(int choice, JsonLiteral text) {
        ByteBuf chunk = begin(choice, REASONING, text.length());
        text.writeTo(chunk);
        return end(chunk);
    }

    /**
     * {@code {"reasoning_content": text, "thinking_blocks": [{"type": "thinking", "thinking": text}]}}, as LiteLLM
     * streams Claude's thinking.
     */
    public ByteBuf thinking(int choice, JsonLiteral text) {
        ByteBuf chunk = begin(choice, REASONING, text.length() * 2 + 64);
        text.writeTo(chunk);
        chunk.writeBytes(THINKING_BLOCK);
        text.writeTo(chunk);
        return end(chunk.writeBytes(BLOCKS_END));
    }

    /** {@code thinking_blocks: [{type: "thinking", thinking: "", signature}]}: a thinking block's signature. */
    public ByteBuf signature(int choice, JsonLiteral signature) {
        ByteBuf chunk = begin(choice, SIGNATURE, signature.length() + 8);
        signature.writeTo(chunk);
        return end(chunk.writeBytes(BLOCKS_END));
    }

    /** {@code thinking_blocks: [{type: "redacted_thinking", data}]}. */
    public ByteBuf redactedThinking(int choice, JsonLiteral data) {
        ByteBuf chunk = begin(choice, REDACTED, data.length() + 8);
        data.writeTo(chunk);
        return end(chunk.writeBytes(BLOCKS_END));
    }

    /**
     * The start of a tool call: {@code tool_calls: [{index, id, type: "function", function: {name, arguments}}]}.
     *
     * @param arguments the whole arguments (a JSON string literal), or {@code null} for {@code ""} (they follow in
     *     {@link #toolArguments} deltas)
     */
    public ByteBuf toolCall(int choice, int index, String id, String name, @Nullable JsonLiteral arguments) {
        ByteBuf chunk = begin(choice, TOOL_START,
                64 + id.length() + name.length() + (arguments == null ? 2 : arguments.length()));
        writeToolHead(chunk, index, id, name);
        if (arguments == null) {
            chunk.writeBytes(EMPTY_STRING);
        } else {
            arguments.writeTo(chunk);
        }
        return chunk.writeBytes(TOOL_END).writeBytes(NOT_FINISHED);
    }

    /** As {@link #toolCall(int, int, String, String, JsonLiteral)}, with whole arguments as a decoded string. */
    public ByteBuf toolCall(int choice, int index, String id, String name, String arguments) {
        ByteBuf chunk = begin(choice, TOOL_START, 96 + id.length() + name.length() + arguments.length() * 2);
        writeToolHead(chunk, index, id, name);
        JsonText.writeString(chunk, arguments);
        return chunk.writeBytes(TOOL_END).writeBytes(NOT_FINISHED);
    }

    /**
     * More arguments for tool call {@code index}: {@code tool_calls: [{index, function: {arguments}}]}.
     *
     * @param arguments a JSON string literal, or {@code null} for {@code "{}"} (a call that got no arguments)
     */
    public ByteBuf toolArguments(int choice, int index, @Nullable JsonLiteral arguments) {
        ByteBuf chunk = begin(choice, TOOL_START, 64 + (arguments == null ? 4 : arguments.length()));
        JsonText.writeLong(chunk, index);
        chunk.writeBytes(ARGS_ONLY);
        if (arguments == null) {
            chunk.writeBytes(EMPTY_ARGUMENTS);
        } else {
            arguments.writeTo(chunk);
        }
        return chunk.writeBytes(TOOL_END).writeBytes(NOT_FINISHED);
    }

    /** The chunk with {@code finish_reason} and an empty delta. */
    public ByteBuf finish(int choice, String reason) {
        ByteBuf chunk = begin(choice, FINISH, reason.length() + 8);
        JsonText.writeString(chunk, reason);
        return chunk.writeBytes(FINISH_END);
    }

    /**
     * The end of the client's stream: {@code first} (a last chunk the caller still owes, or {@code null}), the usage
     * chunk ({@code choices: []}) when {@code usage} is given, then {@code data: [DONE]}.
     *
     * @param first taken: copied into the result and released
     * @param usage writes the usage object, or {@code null} for no usage chunk
     */
    public ByteBuf close(@Nullable ByteBuf first, @Nullable UsageWriter usage) {
        ByteBuf out = alloc.buffer(prefix.length + 256 + (first == null ? 0 : first.readableBytes()));
        if (first != null) {
            out.writeBytes(first);
            first.release();
        }
        if (usage != null) {
            out.writeBytes(prefix).writeBytes(USAGE);
            usage.writeTo(out);
            out.writeBytes(USAGE_END);
        }
        return out.writeBytes(DONE);
    }

    /**
     * An SSE event carrying an OpenAI error object: {@code data: {"error": {...}}}.
     *
     * @param type the OpenAI error type, e.g. {@code rate_limit_error}
     */
    public ByteBuf error(int status, String message, String type) {
        ByteBuf json = OpenAiJson.error(alloc, status, message, type, null);
        try {
            return SseEvents.data(alloc, json);
        } finally {
            json.release();
        }
    }

    /**
     * A chunk's start: the prefix, {@code {"index": choice}, then {@code delta} (the unclosed delta object's start).
     * The caller writes the delta's value and calls {@link #end}.
     *
     * @param extra the bytes the caller will write, to size the buffer
     */
    public ByteBuf begin(int choice, byte[] delta, int extra) {
        ByteBuf chunk = alloc.buffer(prefix.length + delta.length + extra + NOT_FINISHED.length + 16)
                .writeBytes(prefix).writeBytes(INDEX);
        JsonText.writeLong(chunk, choice);
        return chunk.writeBytes(delta);
    }

    /** Closes the delta object and the chunk started by {@link #begin}: {@code finish_reason} null. */
    public ByteBuf end(ByteBuf chunk) {
        return chunk.writeByte('}').writeBytes(NOT_FINISHED);
    }

    /** US-ASCII bytes of a constant. */
    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private void writeToolHead(ByteBuf chunk, int index, String id, String name) {
        JsonText.writeLong(chunk, index);
        chunk.writeBytes(TOOL_ID);
        JsonText.writeString(chunk, id);
        chunk.writeBytes(TOOL_NAME);
        JsonText.writeString(chunk, name);
        chunk.writeBytes(TOOL_ARGS);
    }

    private byte[] prefix(String id, String model) {
        ByteBuf buf = Unpooled.buffer(128 + id.length() + model.length());
        try {
            buf.writeBytes(DATA_ID);
            JsonText.writeString(buf, id);
            buf.writeBytes(OBJECT);
            JsonText.writeLong(buf, created);
            buf.writeBytes(MODEL);
            JsonText.writeString(buf, model);
            buf.writeBytes(CHOICES);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    /** Writes a stream's usage as one JSON object ({@code {"prompt_tokens": …}}) at the buffer's writer index. */
    @FunctionalInterface
    public interface UsageWriter {
        void writeTo(ByteBuf out);
    }
}
