package dev.llmproxy.codec.responses;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.JsonLiteral;
import dev.llmproxy.codec.translate.EventBytes;
import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;

/**
 * Reads the chat chunks that make up nearly all of a stream (a text or reasoning delta, a finish reason) with one
 * streaming parser and no tree: {@link ResponsesStreamTranslator} pays for its generic reading only on the few chunks
 * this declines. It declines, leaving the reading to the tree, every chunk whose meaning it does not fully capture: an
 * error, a usage object, tool calls, a member it reads given twice (the tree keeps the last one), or anything that is
 * not one well-formed JSON object. What it accepts, it reads as the tree reading would: only the first choice counts,
 * and values of the wrong type count as absent.
 *
 * <p>The text delta's JSON string literal is kept as the chunk wrote it ({@link #contentLiteral()}), so that the
 * Responses event copies it rather than escaping the decoded text again; it is valid only until the next read.
 *
 * <p>Thread-safety: none; reused for every chunk of one stream.
 */
final class ChatChunkReader {
    private static final int MODEL = 1;
    private static final int USAGE = 1 << 1;
    private static final int CHOICES = 1 << 2;
    private static final int DELTA = 1 << 3;
    private static final int FINISH_REASON = 1 << 4;
    private static final int CONTENT = 1 << 5;
    private static final int REASONING = 1 << 6;

    private final EventBytes bytes = new EventBytes();
    private final JsonLiteral contentLiteral = new JsonLiteral();
    private int seen;
    private @Nullable String model;
    private boolean hasChoice;
    private @Nullable String content;
    private @Nullable String reasoning;
    private @Nullable String finishReason;

    /**
     * Reads one chunk.
     *
     * @param data holds the chunk at {@code [index, index + length)}; not taken, indexes unchanged
     * @param currentModel the model read so far, returned rather than a copy when the chunk names it again
     * @return whether the chunk was read; when not, nothing it holds is meaningful
     */
    boolean read(ByteBuf data, int index, int length, String currentModel) {
        seen = 0;
        model = null;
        hasChoice = false;
        content = null;
        reasoning = null;
        finishReason = null;
        contentLiteral.clear();
        bytes.of(data, index, length);
        byte[] array = bytes.array();
        int offset = bytes.offset();
        try (JsonParser p = JsonInput.JSON.createParser(ObjectReadContext.empty(), array, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT || !readChunk(p, currentModel, array, offset)) {
                return false;
            }
            return p.nextToken() == null;
        } catch (JacksonException e) {
            return false;
        }
    }

    /** The chunk's {@code model}, or {@code null} when it has no string one. */
    @Nullable String model() {
        return model;
    }

    /** Whether {@code choices} had an element (the tree reading stops before the finish reason when not). */
    boolean hasChoice() {
        return hasChoice;
    }

    /** The first choice's {@code delta.content}, decoded, or {@code null}. */
    @Nullable String content() {
        return content;
    }

    /** {@link #content()} as the chunk's JSON string literal, quotes included; empty when there is none. */
    JsonLiteral contentLiteral() {
        return contentLiteral;
    }

    /** The first choice's {@code delta.reasoning_content}, or {@code null}. */
    @Nullable String reasoning() {
        return reasoning;
    }

    /** The first choice's {@code finish_reason}, or {@code null}. */
    @Nullable String finishReason() {
        return finishReason;
    }

    private boolean readChunk(JsonParser p, String currentModel, byte[] array, int offset) {
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "error" -> {
                    return false;
                }
                case "model" -> {
                    if (!first(MODEL)) {
                        return false;
                    }
                    model = value == JsonToken.VALUE_STRING ? model(p, currentModel) : skip(p);
                }
                case "usage" -> {
                    if (!first(USAGE) || value == JsonToken.START_OBJECT) {
                        return false;
                    }
                    p.skipChildren();
                }
                case "choices" -> {
                    if (!first(CHOICES)) {
                        return false;
                    }
                    if (value != JsonToken.START_ARRAY) {
                        p.skipChildren();
                    } else if (!readChoices(p, array, offset)) {
                        return false;
                    }
                }
                default -> p.skipChildren();
            }
        }
        return true;
    }

    private boolean readChoices(JsonParser p, byte[] array, int offset) {
        JsonToken token = p.nextToken();
        if (token == JsonToken.END_ARRAY) {
            return true;
        }
        hasChoice = true;
        if (token == JsonToken.START_OBJECT) {
            if (!readChoice(p, array, offset)) {
                return false;
            }
        } else {
            p.skipChildren();
        }
        while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                return false;
            }
            p.skipChildren();
        }
        return true;
    }

    private boolean readChoice(JsonParser p, byte[] array, int offset) {
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("delta")) {
                if (!first(DELTA)) {
                    return false;
                }
                if (value != JsonToken.START_OBJECT) {
                    p.skipChildren();
                } else if (!readDelta(p, array, offset)) {
                    return false;
                }
            } else if (name.equals("finish_reason")) {
                if (!first(FINISH_REASON)) {
                    return false;
                }
                finishReason = value == JsonToken.VALUE_STRING ? p.getString() : skip(p);
            } else {
                p.skipChildren();
            }
        }
        return true;
    }

    private boolean readDelta(JsonParser p, byte[] array, int offset) {
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "content" -> {
                    if (!first(CONTENT)) {
                        return false;
                    }
                    if (value == JsonToken.VALUE_STRING) {
                        contentLiteral.read(p, array, offset);
                        content = p.getString();
                    } else {
                        p.skipChildren();
                    }
                }
                case "reasoning_content" -> {
                    if (!first(REASONING)) {
                        return false;
                    }
                    reasoning = value == JsonToken.VALUE_STRING ? p.getString() : skip(p);
                }
                case "tool_calls" -> {
                    if (value == JsonToken.START_ARRAY) {
                        return false;
                    }
                    p.skipChildren();
                }
                default -> p.skipChildren();
            }
        }
        return true;
    }

    /** Marks a member as read; false when it was read before. */
    private boolean first(int member) {
        boolean isFirst = (seen & member) == 0;
        seen |= member;
        return isFirst;
    }

    /** The model string {@code p} is at: {@code currentModel} itself when equal, so that no copy is made. */
    private static String model(JsonParser p, String currentModel) {
        int length = p.getStringLength();
        if (length == currentModel.length()) {
            char[] chars = p.getStringCharacters();
            int start = p.getStringOffset();
            boolean same = true;
            for (int i = 0; i < length && same; i++) {
                same = chars[start + i] == currentModel.charAt(i);
            }
            if (same) {
                return currentModel;
            }
        }
        return p.getString();
    }

    private static @Nullable String skip(JsonParser p) {
        p.skipChildren();
        return null;
    }
}
