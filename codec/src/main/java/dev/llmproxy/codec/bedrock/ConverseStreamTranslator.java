package dev.llmproxy.codec.bedrock;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.JsonLiteral;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.translate.ChunkWriter;
import dev.llmproxy.codec.translate.EventBytes;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;

/**
 * Translates the messages of a ConverseStream, as the {@link EventStreamDecoder} hands them over, into OpenAI
 * {@code chat.completion.chunk} events (provider spec, section 5.6).
 *
 * <table>
 *   <caption>Events</caption>
 *   <tr><th>Bedrock</th><th>OpenAI</th></tr>
 *   <tr><td>{@code messageStart}</td><td>the first chunk, {@code delta: {role: "assistant", content: ""}}</td></tr>
 *   <tr><td>{@code contentBlockStart} with {@code toolUse}</td><td>{@code tool_calls: [{index: k, id: toolUseId,
 *       type: "function", function: {name, arguments: ""}}]}, k counting tool calls from 0</td></tr>
 *   <tr><td>{@code contentBlockDelta}</td><td>{@code text} → {@code content}; {@code toolUse.input} → the call's
 *       {@code arguments}; {@code reasoningContent.text} → {@code reasoning_content} with {@code thinking_blocks},
 *       its {@code signature} → a signed thinking block, {@code redactedContent} → a redacted one</td></tr>
 *   <tr><td>{@code contentBlockStop}</td><td>{@code arguments: "{}"} for a tool call that got none</td></tr>
 *   <tr><td>{@code messageStop}</td><td>the chunk with {@code finish_reason}</td></tr>
 *   <tr><td>{@code metadata}</td><td>the usage (for the last chunk and the call record)</td></tr>
 *   <tr><td>an {@code exception} message</td><td>an OpenAI error event with the exception's status; the stream ends
 *       there</td></tr>
 * </table>
 *
 * <p>{@link #finish} gives the closing events: the usage chunk when the client asked for
 * {@code stream_options.include_usage}, then {@code data: [DONE]}; or an error event when the stream ended before
 * {@code messageStop}, was cut inside a message, or was corrupt. Unknown event types and fields are ignored; no
 * exception leaves this class for bad input. Strings are copied into the chunks as Bedrock escaped them.
 *
 * <p>Thread-safety: none; one instance per streamed response, confined to its event loop.
 */
public final class ConverseStreamTranslator implements BedrockStreamVisitor {
    private final ChunkWriter chunks;
    private final String id;
    private final String model;
    private final boolean includeUsage;
    private final ConverseUsage usage = new ConverseUsage();
    private final EventBytes bytes = new EventBytes();
    private final Event event = new Event();
    private int toolIndex = -1;
    private boolean inTool;
    private boolean toolHasArguments;
    private boolean finishSent;
    private boolean failed;

    /**
     * @param chunks writes the chunks (its allocator and {@code created} time)
     * @param id every chunk's {@code id}
     * @param model every chunk's {@code model} (Bedrock's stream names none: the deployment's)
     * @param includeUsage whether the client asked for {@code stream_options.include_usage}
     */
    public ConverseStreamTranslator(ChunkWriter chunks, String id, String model, boolean includeUsage) {
        this.chunks = requireNonNull(chunks, "chunks");
        this.id = requireNonNull(id, "id");
        this.model = requireNonNull(model, "model");
        this.includeUsage = includeUsage;
    }

    @Override
    public void onMessage(String messageType, String eventType, ByteBuf payload, int index, int length,
            SseEventFramer.Emitter out) {
        if (failed) {
            return;
        }
        boolean parsed = parse(payload, index, length);
        if (!messageType.equals("event")) {
            String message = parsed && event.message != null ? event.message
                    : payload.toString(index, Math.min(length, 200), StandardCharsets.UTF_8);
            fail(out, BedrockErrors.exceptionStatus(eventType), eventType + " " + message);
            return;
        }
        if (!parsed) {
            fail(out, 500, "Invalid event in the stream: "
                    + payload.toString(index, Math.min(length, 200), StandardCharsets.UTF_8));
            return;
        }
        if (!chunks.isStarted()) {
            chunks.start(id, model);
            out.emit(chunks.role(0));
        }
        switch (eventType) {
            case "contentBlockStart" -> blockStart(out);
            case "contentBlockDelta" -> blockDelta(out);
            case "contentBlockStop" -> {
                if (inTool && !toolHasArguments) {
                    out.emit(chunks.toolArguments(0, toolIndex, null));
                }
                inTool = false;
            }
            case "messageStop" -> {
                finishSent = true;
                out.emit(chunks.finish(0, StopReasons.finishReason(event.stopReason)));
            }
            default -> {
                // messageStart (its role chunk is sent above), metadata (read into the usage) and event types AWS
                // may add: nothing to send.
            }
        }
    }

    @Override
    public void onMalformed(String reason, SseEventFramer.Emitter out) {
        if (!failed) {
            fail(out, 500, reason);
        }
    }

    /**
     * The events that close the client's stream once Bedrock's has ended: the usage chunk when asked for and
     * {@code data: [DONE]}; an error event when the stream ended early; {@code null} after an error event.
     *
     * @param endedCleanly whether the decoder saw only whole messages ({@link EventStreamDecoder#endedCleanly})
     * @return a new buffer owned by the caller, or {@code null}
     */
    @Override
    public @Nullable ByteBuf finish(boolean endedCleanly) {
        if (failed) {
            return null;
        }
        if (!finishSent || !endedCleanly) {
            failed = true;
            String message = finishSent ? "The stream from Bedrock was cut inside a message"
                    : "The stream from Bedrock ended before messageStop";
            return error(500, message);
        }
        return chunks.close(null, includeUsage ? usage::writeTo : null);
    }

    /** The usage reported so far ({@code metadata}), or {@code null}. */
    @Override
    public @Nullable Usage usage() {
        return usage.seen ? usage.toUsage() : null;
    }

    private void blockStart(SseEventFramer.Emitter out) {
        String toolUseId = event.toolUseId;
        if (toolUseId == null) {
            return;
        }
        inTool = true;
        toolHasArguments = false;
        toolIndex++;
        out.emit(chunks.toolCall(0, toolIndex, toolUseId, event.toolName, (JsonLiteral) null));
    }

    private void blockDelta(SseEventFramer.Emitter out) {
        switch (event.delta) {
            case Event.TEXT -> {
                if (!event.text.isEmpty()) {
                    out.emit(chunks.content(0, event.text));
                }
            }
            case Event.TOOL_INPUT -> {
                if (inTool && !event.text.isEmpty()) {
                    toolHasArguments = true;
                    out.emit(chunks.toolArguments(0, toolIndex, event.text));
                }
            }
            case Event.REASONING -> {
                if (!event.text.isEmpty()) {
                    out.emit(chunks.thinking(0, event.text));
                }
            }
            case Event.SIGNATURE -> out.emit(chunks.signature(0, event.text));
            case Event.REDACTED -> out.emit(chunks.redactedThinking(0, event.text));
            default -> {
                // A delta kind this translation does not know (citations, images): no chunk form.
            }
        }
    }

    private void fail(SseEventFramer.Emitter out, int providerStatus, String message) {
        failed = true;
        out.emit(error(providerStatus, message));
    }

    private ByteBuf error(int providerStatus, String message) {
        int status = BedrockErrors.clientStatus(providerStatus, message);
        return chunks.error(status, "BedrockException - " + message, BedrockErrors.typeOf(status));
    }

    private boolean parse(ByteBuf data, int index, int length) {
        bytes.of(data, index, length);
        event.reset(bytes.array(), bytes.offset());
        try (JsonParser p = JsonInput.JSON.createParser(ObjectReadContext.empty(), bytes.array(), bytes.offset(),
                length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            event.read(p, usage);
            return p.nextToken() == null;
        } catch (JacksonException e) {
            return false;
        }
    }

    /** The fields of one event that the translation reads; reused for every event. */
    private static final class Event {
        static final int NONE = 0;
        static final int TEXT = 1;
        static final int TOOL_INPUT = 2;
        static final int REASONING = 3;
        static final int SIGNATURE = 4;
        static final int REDACTED = 5;

        byte[] array = new byte[0];
        int offset;
        int delta;
        /** The delta's string: text, tool input, reasoning text, signature or redacted content. */
        final JsonLiteral text = new JsonLiteral();
        @Nullable String toolUseId;
        String toolName = "";
        @Nullable String stopReason;
        @Nullable String message;

        void reset(byte[] input, int inputOffset) {
            array = input;
            offset = inputOffset;
            delta = NONE;
            text.clear();
            toolUseId = null;
            toolName = "";
            stopReason = null;
            message = null;
        }

        void read(JsonParser p, ConverseUsage usage) {
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "start" -> readObject(p, this::readStart);
                    case "delta" -> readObject(p, this::readDelta);
                    case "stopReason" -> stopReason = string(p);
                    case "usage" -> usage.read(p);
                    case "message", "Message" -> message = string(p);
                    default -> p.skipChildren();
                }
            }
        }

        private void readStart(JsonParser p, String field) {
            if (field.equals("toolUse")) {
                readObject(p, this::readToolUse);
            } else {
                p.skipChildren();
            }
        }

        private void readDelta(JsonParser p, String field) {
            switch (field) {
                case "text" -> {
                    delta = TEXT;
                    text.read(p, array, offset);
                }
                case "toolUse" -> readObject(p, this::readToolUse);
                case "reasoningContent" -> readObject(p, this::readReasoning);
                default -> p.skipChildren();
            }
        }

        private void readToolUse(JsonParser p, String field) {
            switch (field) {
                case "toolUseId" -> toolUseId = string(p);
                case "name" -> {
                    String name = string(p);
                    toolName = name == null ? "" : name;
                }
                case "input" -> {
                    delta = TOOL_INPUT;
                    text.read(p, array, offset);
                }
                default -> p.skipChildren();
            }
        }

        private void readReasoning(JsonParser p, String field) {
            int kind = switch (field) {
                case "text" -> REASONING;
                case "signature" -> SIGNATURE;
                case "redactedContent" -> REDACTED;
                default -> NONE;
            };
            if (kind == NONE) {
                p.skipChildren();
                return;
            }
            delta = kind;
            text.read(p, array, offset);
        }

        private static void readObject(JsonParser p, FieldReader reader) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                return;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                p.nextToken();
                reader.read(p, field);
            }
        }

        private static @Nullable String string(JsonParser p) {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                return p.getString();
            }
            p.skipChildren();
            return null;
        }

        /** Reads one field of an object. */
        private interface FieldReader {
            void read(JsonParser p, String field);
        }
    }
}
